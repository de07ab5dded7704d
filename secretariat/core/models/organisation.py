"""The organisation a secretariat works for: structures, sites, services, practitioners, care teams."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from secretariat.core.validators import (
    validate_finess,
    validate_mssante_address,
    validate_rpps,
    validate_siret,
)


class Structure(models.Model):
    """A legal entity: a practice, a maison de santé, a health centre, a hospital."""

    class Kind(models.TextChoices):
        PRACTICE = "practice", _("Practice")
        MSP = "msp", _("Maison de santé pluriprofessionnelle")
        HEALTH_CENTRE = "health_centre", _("Health centre")
        HOSPITAL = "hospital", _("Hospital")
        MEDICO_SOCIAL = "medico_social", _("Medico-social establishment")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PRACTICE)
    finess = models.CharField(
        _("FINESS (legal entity)"), max_length=9, blank=True, validators=[validate_finess]
    )
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    is_demo = models.BooleanField(
        _("demo structure"), default=False,
        help_text=_("Created by seed_demo with synthetic people only."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("structure")
        verbose_name_plural = _("structures")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    postal_code = models.CharField(_("postal code"), max_length=5)
    city = models.CharField(_("city"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    finess = models.CharField(
        _("FINESS (geographical entity)"), max_length=9, blank=True, validators=[validate_finess]
    )

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["structure", "name"]
        constraints = [
            models.UniqueConstraint(fields=["structure", "name"], name="site_unique_name_per_structure"),
        ]

    def __str__(self) -> str:
        return self.name

    def weekly_hours(self) -> list[tuple[str, str]]:
        """Opening hours as a reader says them: ("Monday – Friday", "08:00–12:30, 13:30–19:00").

        Consecutive days with the same periods are grouped; reads the prefetched periods.
        """
        by_day: dict[int, list[str]] = {}
        for period in self.opening_hours.all():
            by_day.setdefault(period.weekday, []).append(
                f"{period.opens_at:%H:%M}–{period.closes_at:%H:%M}"
            )
        groups: list[list] = []  # [first day, last day, periods]
        for day in sorted(by_day):
            periods = ", ".join(by_day[day])
            if groups and groups[-1][1] == day - 1 and groups[-1][2] == periods:
                groups[-1][1] = day
            else:
                groups.append([day, day, periods])
        label = OpeningHours.Weekday
        return [
            (str(label(first).label) if first == last
             else f"{label(first).label} – {label(last).label}", periods)
            for first, last, periods in groups
        ]


class Weekday(models.IntegerChoices):
    """Days as Python numbers them (0 = Monday), for opening hours and agenda periods."""

    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One opening period of a site on a weekday (several per day for a lunch break)."""

    Weekday = Weekday

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["site", "weekday", "opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="opening_hours_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class Service(models.Model):
    """A department or unit of a structure (cardiology, imaging, physiotherapy…)."""

    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="services")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True, related_name="services")
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["structure", "name"]
        constraints = [
            models.UniqueConstraint(fields=["structure", "name"], name="service_unique_name_per_structure"),
        ]

    def __str__(self) -> str:
        return self.name


class Practitioner(models.Model):
    class ConventionSector(models.TextChoices):
        SECTOR_1 = "1", _("Sector 1")
        SECTOR_2 = "2", _("Sector 2")
        OPTAM = "2_optam", _("Sector 2 with OPTAM")
        NOT_CONTRACTED = "none", _("Not contracted")

    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="practitioners")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="practitioner",
    )
    title = models.CharField(_("title"), max_length=20, blank=True, help_text=_("Dr, Pr, M., Mme…"))
    last_name = models.CharField(_("last name"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    rpps = models.CharField(_("RPPS"), max_length=11, unique=True, validators=[validate_rpps])
    specialty = models.CharField(_("specialty"), max_length=100)
    convention_sector = models.CharField(
        _("convention sector"), max_length=10, choices=ConventionSector.choices,
        default=ConventionSector.SECTOR_1,
    )
    mssante_address = models.EmailField(
        _("MSSanté address"), blank=True, validators=[validate_mssante_address]
    )
    sites = models.ManyToManyField(Site, related_name="practitioners", blank=True)
    services = models.ManyToManyField(Service, related_name="practitioners", blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("practitioner")
        verbose_name_plural = _("practitioners")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.title, self.first_name, self.last_name.upper()) if part)


class CareTeam(models.Model):
    """Which staff work for which practitioners and services.

    Patient data is visible to a member only through a care team that shares the
    patient (see ``core.access``).
    """

    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="care_teams")
    name = models.CharField(_("name"), max_length=200)
    practitioners = models.ManyToManyField(Practitioner, related_name="care_teams", blank=True)
    services = models.ManyToManyField(Service, related_name="care_teams", blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="care_teams", blank=True)

    class Meta:
        verbose_name = _("care team")
        verbose_name_plural = _("care teams")
        ordering = ["structure", "name"]
        constraints = [
            models.UniqueConstraint(fields=["structure", "name"], name="care_team_unique_name_per_structure"),
        ]

    def __str__(self) -> str:
        return self.name

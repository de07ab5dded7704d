"""Forms of the booking screen: what the patient asks for, and the booking itself."""


from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from secretariat.agenda.models import AppointmentType
from secretariat.core.models import Site


class HalfDay:
    ANY = ""
    MORNING = "am"
    AFTERNOON = "pm"
    CHOICES = [(ANY, _("Any time")), (MORNING, _("Mornings")), (AFTERNOON, _("Afternoons"))]


class SlotSearchForm(forms.Form):
    """The request on the phone: a type, with whom, when. Every field has a sensible default."""

    appointment_type = forms.ModelChoiceField(queryset=AppointmentType.objects.none(), label=_("Appointment type"),
                                              empty_label=None)
    practitioner = forms.ModelChoiceField(queryset=None, required=False, label=_("Practitioner"),
                                          empty_label=_("Any practitioner"))
    specialty = forms.ChoiceField(required=False, label=_("Specialty"))
    site = forms.ModelChoiceField(queryset=Site.objects.none(), required=False, label=_("Site"),
                                  empty_label=_("Any site"))
    half_day = forms.ChoiceField(choices=HalfDay.CHOICES, required=False, label=_("Time of day"))
    not_before = forms.DateField(required=False, label=_("Not before"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    urgent = forms.BooleanField(required=False, label=_("Urgent request (reserved slots)"))

    def __init__(self, *args, structure_id: int, practitioners, privileged: bool, **kwargs):
        super().__init__(*args, **kwargs)
        types = AppointmentType.objects.filter(structure_id=structure_id, is_active=True)
        if not privileged:
            types = types.filter(bookable_by_staff=True)
        self.fields["appointment_type"].queryset = types.order_by("label")
        self.fields["practitioner"].queryset = practitioners
        specialties = sorted({practitioner.specialty for practitioner in practitioners if practitioner.specialty})
        self.fields["specialty"].choices = [("", _("Any specialty"))] + [(name, name) for name in specialties]
        self.fields["site"].queryset = Site.objects.filter(structure_id=structure_id).order_by("name")

    def clean_not_before(self):
        day = self.cleaned_data.get("not_before")
        if day and day.year > timezone.localdate().year + 2:
            raise forms.ValidationError(_("Choose a date within the next two years."))
        return day


class BookingForm(forms.Form):
    """The chosen slot, sent back by the confirm panel (re-read and scoped by the view)."""

    practitioner = forms.IntegerField(widget=forms.HiddenInput)
    appointment_type = forms.IntegerField(widget=forms.HiddenInput)
    start = forms.CharField(widget=forms.HiddenInput)
    urgent = forms.BooleanField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(required=False, max_length=500, label=_("Note for the practitioner"),
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))
    override_reason = forms.CharField(
        required=False, max_length=300, label=_("Reason for booking against the directives"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

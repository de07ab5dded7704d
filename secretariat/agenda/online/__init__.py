"""Online booking by patients, on public pages without a staff login.

The patient picks a type, a practitioner (or anyone), a free slot, types their identity and
contact, then the code sent to that contact. Only the right code books: the patient is then
matched against the structure's records (anteriority search) or created as a provisional
identity, and the appointment is booked through ``agenda.services.book_appointment``.

Nothing on these pages tells whether someone already is a patient: the identity is read only
after the code, and every refusal that depends on the patient is one neutral message.
"""

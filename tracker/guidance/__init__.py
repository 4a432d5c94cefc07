"""Health guidance from ../shared/reference/magnesium.md: red flags in the symptom journal, lab results,
medicines, risk factors, supplement safety and insights. Pure rules: no database, no Django models;
the services in tracker/services/guidance.py feed them rows and the API shows what they return.

Nothing here diagnoses. Every answer that carries guidance carries DISCLAIMER with it.
"""

DISCLAIMER = (
    "Not medical advice: this app does not diagnose. It shows what its sources say; "
    "talk to a doctor about your own health."
)

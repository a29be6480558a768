from django import forms

from remedies.models import DosingRegimen, ExperienceReport, Pair

OTHER = "other"


class ExperienceReportForm(forms.Form):
    """What you took, for how long, and what happened. Everything but the vote is here."""

    taken = forms.ChoiceField(
        label="What did you take?",
        widget=forms.RadioSelect,
        error_messages={"required": "Say what you took, or pick “Other”."},
    )
    other_form = forms.CharField(label="Other form", max_length=120, required=False)
    other_dose = forms.CharField(label="Dose", max_length=120, required=False)
    weeks = forms.IntegerField(
        label="For how many weeks?",
        min_value=1,
        max_value=520,
        error_messages={
            "required": "Say for how many weeks (1 to 520).",
            "invalid": "Weeks must be a whole number from 1 to 520.",
            "min_value": "Weeks must be a whole number from 1 to 520.",
            "max_value": "Weeks must be a whole number from 1 to 520.",
        },
    )
    outcome = forms.ChoiceField(
        label="What happened?",
        choices=ExperienceReport.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Pick what happened."},
    )
    side_effects = forms.ChoiceField(
        label="Side effects",
        choices=ExperienceReport.SideEffects.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Pick an answer about side effects."},
    )
    clinician_involved = forms.BooleanField(
        label="A clinician was involved (prescribed, advised or monitored it)", required=False
    )

    def __init__(self, *args, pair: Pair, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.pair = pair
        self.regimens = {str(r.pk): r for r in pair.regimens.all()}
        self.fields["taken"].choices = [
            *((pk, str(regimen)) for pk, regimen in self.regimens.items()),
            (OTHER, "Other form or dose"),
        ]

    @classmethod
    def for_report(cls, report: ExperienceReport | None, *, pair: Pair) -> "ExperienceReportForm":
        if report is None:
            return cls(pair=pair)
        return cls(
            pair=pair,
            initial={
                "taken": str(report.regimen_id) if report.regimen_id else OTHER,
                "other_form": report.other_form,
                "other_dose": report.other_dose,
                "weeks": report.weeks,
                "outcome": report.outcome,
                "side_effects": report.side_effects,
                "clinician_involved": report.clinician_involved,
            },
        )

    def clean(self):
        cleaned = super().clean()
        taken = cleaned.get("taken")
        if taken == OTHER and not cleaned.get("other_form", "").strip():
            self.add_error("other_form", "Name the form you took (e.g. “MK-7 softgel”).")
        cleaned["regimen"] = self.regimens.get(taken) if taken != OTHER else None
        return cleaned

    @property
    def regimen_choices(self) -> list[DosingRegimen]:
        return list(self.regimens.values())

"""factory_boy factories for the records tests need, made through the services (so that each is
audited, valid and shaped as the product shapes it) rather than by writing rows directly.

    CollaborationFactory(title="Pilot", visibility="public")
    DutyReviewFactory(collaboration=c)
    AreaFactory(code="E06000001")
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory

from accord.core.actors import SystemActor

from .people import EMAS, LINCS_FIRE

ACTOR = SystemActor("test")


def _organisation(code: str) -> Any:
    from accord.orgs.models import Organisation

    return Organisation.objects.get(code=code)


class ServiceFactory(factory.Factory):
    """A factory whose `_create` calls a service; `build` gives the service's input."""

    class Meta:
        abstract = True


class CollaborationFactory(ServiceFactory):
    class Meta:
        model = dict

    title = factory.Sequence(lambda n: f"Joint response pilot {n}")
    summary = "Firefighters respond to medical emergencies."
    research_area = "effective"
    nature = "co_responding"
    status = "operational"
    partners: Any = ((LINCS_FIRE, "lead"), (EMAS, "partner"))
    visibility = "partners"
    named: Any = ()

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        from accord.register import services

        partners = kwargs.pop("partners")
        named = kwargs.pop("named")
        actor = kwargs.pop("actor", ACTOR)
        data = services.CollaborationData(
            partners=[(_organisation(c), role) for c, role in partners],
            named_organisations=[_organisation(c) for c in named],
            **kwargs,
        )
        return services.create_collaboration(actor, data)


class DutyReviewFactory(ServiceFactory):
    class Meta:
        model = dict

    collaboration = factory.SubFactory(CollaborationFactory)
    opportunity = "Share the fleet workshop"
    considered_on = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=30))
    decision = "collaborate"
    reason = "Both services keep vehicles at the same site."
    notified: Any = ()

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        from accord.register import services

        collaboration = kwargs.pop("collaboration")
        notified = [_organisation(c) for c in kwargs.pop("notified")]
        return services.add_review(
            ACTOR, collaboration, services.ReviewData(notified=notified, **kwargs)
        )


class AreaFactory(ServiceFactory):
    """A district, through the same import as an ONS lookup's rows."""

    class Meta:
        model = dict

    code = factory.Sequence(lambda n: f"E0{n:07d}")
    name = factory.Sequence(lambda n: f"District {n}")
    kind = "district"
    within: Any = ()

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        from accord.orgs import services
        from accord.orgs.importers import AreaRow
        from accord.orgs.models import Area

        within = list(kwargs.pop("within"))
        services.import_areas([AreaRow(**kwargs, within=within)], actor=ACTOR)
        return Area.objects.get(code=kwargs["code"])


def _today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


class FrameworkVersionFactory(ServiceFactory):
    """A shipped framework's latest version, loaded through the assessments service."""

    class Meta:
        model = dict

    key = "collaboration-factors"

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        from accord.assessments.models import FrameworkVersion
        from accord.assessments.services import load_shipped_frameworks

        load_shipped_frameworks(ACTOR)
        return FrameworkVersion.objects.filter(key=kwargs["key"]).order_by("-version").first()


class RoundFactory(ServiceFactory):
    class Meta:
        model = dict

    collaboration = factory.SubFactory(CollaborationFactory)
    framework = factory.SubFactory(FrameworkVersionFactory)
    title = factory.Sequence(lambda n: f"Survey {n}")
    opens_on = factory.LazyFunction(lambda: _today() - dt.timedelta(days=1))
    closes_on = factory.LazyFunction(lambda: _today() + dt.timedelta(days=10))
    anonymous = True

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        from accord.assessments import services

        collaboration = kwargs.pop("collaboration")
        return services.create_round(ACTOR, collaboration, services.RoundData(**kwargs))


class InvitationFactory(ServiceFactory):
    """A personal link; the factory returns the service's NewLink (with its plain token)."""

    class Meta:
        model = dict

    round = factory.SubFactory(RoundFactory)
    email = factory.Sequence(lambda n: f"person{n}@lincs-fire.test")
    organisation = LINCS_FIRE
    level = "operational"

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        from accord.assessments import services

        invitee = services.Invitee(
            email=kwargs["email"],
            organisation=_organisation(kwargs["organisation"]),
            level=kwargs["level"],
        )
        (link,) = services.invite(ACTOR, kwargs["round"], [invitee])
        return link


class ResponseFactory(ServiceFactory):
    """Submitted answers through a personal link, every statement answered `value`."""

    class Meta:
        model = dict

    link = factory.SubFactory(InvitationFactory)
    value = 4
    comment = ""

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        from accord.assessments import services

        link = kwargs["link"]
        invitation = services.invitation_for_token(link.token)
        answers = {item: kwargs["value"] for item in invitation.round.framework.framework.item_ids}
        return services.save_answers(
            link.token, answers, comment=kwargs["comment"] or None, submit=True
        )


APPRAISAL_YAML = """\
title: Co-responding appraisal
price_year: 2016
years: 3
costs:
  - {name: Vehicles and kit, payer: E31000025, amounts: [180000, 0, 0], confidence: 2}
benefits:
  - {name: Ambulance hours released, beneficiary: RX9, amounts: [0, 150000, 160000]}
"""


class AppraisalFactory(ServiceFactory):
    class Meta:
        model = dict

    collaboration = factory.SubFactory(CollaborationFactory)
    yaml_text = APPRAISAL_YAML

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        from accord.appraisal import services

        appraisal = services.parse_yaml_text(kwargs["yaml_text"])
        return services.create_appraisal(ACTOR, kwargs["collaboration"], appraisal, how="test")


class RealisedBenefitFactory(ServiceFactory):
    class Meta:
        model = dict

    appraisal = factory.SubFactory(AppraisalFactory)
    year = 1
    amount = Decimal("120000")
    note = "Hours released, from the trust's figures"

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        from accord.appraisal import services

        record = kwargs.pop("appraisal")
        return services.record_realised(ACTOR, record, services.RealisedData(**kwargs))


class UnitCostFactory(ServiceFactory):
    class Meta:
        model = dict

    name = factory.Sequence(lambda n: f"Fire: attendance {n}")
    value = Decimal("350")
    unit = "attendance"
    price_year = 2019
    source = "Test source"
    confidence = 3

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        from accord.appraisal import services

        return services.create_unit_cost(ACTOR, services.UnitCostData(**kwargs))


class IndicatorFactory(ServiceFactory):
    """An indicator of the library, added as an administrator adds one (kpis.services)."""

    class Meta:
        model = dict

    key = factory.Sequence(lambda n: f"test-indicator-{n}")
    title = factory.Sequence(lambda n: f"Test indicator {n}")
    description = "Something a collaboration counts each month."
    unit = "count"
    direction = "increase"
    frequency = "monthly"
    aggregation = "sum"
    weight_column = ""
    services: Any = ("fire", "ambulance")
    source = "Entered by the partners"
    source_url = ""
    standard = None
    standard_text = ""
    published_column = ""
    computed = ""

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        from accord.kpis import services

        kwargs["services"] = list(kwargs["services"])
        return services.add_indicator(ACTOR, services.IndicatorData(**kwargs))


class AdoptionFactory(ServiceFactory):
    """A collaboration's adoption of an indicator; `organisation` is a code, or None for the
    collaboration as a whole."""

    class Meta:
        model = dict

    collaboration = factory.SubFactory(CollaborationFactory)
    indicator = factory.SubFactory(IndicatorFactory)
    organisation: Any = EMAS
    baseline_value = None
    baseline_period = None
    target_value = None
    target_by = None
    tolerance = None

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        from accord.kpis import services

        collaboration = kwargs.pop("collaboration")
        code = kwargs.pop("organisation")
        organisation = _organisation(code) if isinstance(code, str) else code
        return services.adopt(
            ACTOR, collaboration, services.AdoptionData(organisation=organisation, **kwargs)
        )


class MeasurementFactory(ServiceFactory):
    """One period's value entered for an adoption (the first of a month, from January 2018 on)."""

    class Meta:
        model = dict

    adoption = factory.SubFactory(AdoptionFactory)
    period = factory.Sequence(lambda n: dt.date(2018 + n // 12, n % 12 + 1, 1))
    value = 10.0
    note = ""

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        from accord.kpis import services

        adoption = kwargs.pop("adoption")
        return services.record_measurement(ACTOR, adoption, **kwargs)

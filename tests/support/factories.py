"""factory_boy factories for the records tests need, made through the services (so that each is
audited, valid and shaped as the product shapes it) rather than by writing rows directly.

    CollaborationFactory(title="Pilot", visibility="public")
    DutyReviewFactory(collaboration=c)
    AreaFactory(code="E06000001")
"""

from __future__ import annotations

import datetime as dt
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

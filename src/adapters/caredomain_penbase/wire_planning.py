"""The Penbase wire format of the planning the office pushes (see ``docs/penbase.md``):
caregivers, clients with their location and badges, and each caregiver's planning — its
interventions and the services they give — to JSON and back, read with
:class:`~caredomain_penbase.fields.Fields` as :mod:`~caredomain_penbase.wire` describes.
"""

from __future__ import annotations

from caredomain.interventions.model import (
    Badge,
    Caregiver,
    Client,
    PlannedIntervention,
    Service,
    Task,
)
from caredomain.interventions.platform import PlanningPush
from caredomain_penbase.fields import Fields
from caredomain_penbase.wire import Json, moment_json, point_from, point_json

__all__ = [
    "caregiver_from",
    "caregiver_json",
    "client_from",
    "client_json",
    "planning_from",
    "planning_json",
]


def caregiver_json(caregiver: Caregiver) -> Json:
    return {
        "id": caregiver.id,
        "name": caregiver.name,
        "manager": caregiver.manager,
        "manager_email": caregiver.manager_email,
        "transmit": caregiver.transmit,
    }


def caregiver_from(fields: Fields) -> Caregiver:
    return fields.build(
        Caregiver,
        id=fields.text("id"),
        name=fields.text("name"),
        manager=fields.text("manager"),
        manager_email=fields.optional_text("manager_email"),
        transmit=fields.flag("transmit"),
    )


def client_json(client: Client) -> Json:
    badges = sorted(client.badges, key=str)
    return {
        "id": client.id,
        "name": client.name,
        "address": client.address,
        "location": None if client.location is None else point_json(client.location),
        "badges": [{"kind": str(badge.kind), "value": badge.value} for badge in badges],
    }


def _badge_from(fields: Fields) -> Badge:
    return fields.build(Badge, kind=fields.text("kind"), value=fields.text("value"))


def client_from(fields: Fields) -> Client:
    location = fields.optional_obj("location")
    return fields.build(
        Client,
        id=fields.text("id"),
        name=fields.text("name"),
        address=fields.optional_text("address", ""),
        location=None if location is None else point_from(location),
        badges=[_badge_from(badge) for badge in fields.objects("badges")],
    )


def _service_json(service: Service) -> Json:
    return {
        "id": service.id,
        "label": service.label,
        "tasks": [{"code": task.code, "label": task.label} for task in service.tasks],
    }


def _task_from(fields: Fields) -> Task:
    return fields.build(Task, code=fields.text("code"), label=fields.text("label"))


def _service_from(fields: Fields) -> Service:
    return fields.build(
        Service,
        id=fields.text("id"),
        label=fields.text("label"),
        tasks=[_task_from(task) for task in fields.objects("tasks")],
    )


def _intervention_json(intervention: PlannedIntervention) -> Json:
    return {
        "id": intervention.id,
        "caregiver_id": intervention.caregiver_id,
        "client_id": intervention.client_id,
        "service_id": intervention.service_id,
        "start": moment_json(intervention.start),
        "end": moment_json(intervention.end),
    }


def _intervention_from(fields: Fields) -> PlannedIntervention:
    return fields.build(
        PlannedIntervention,
        id=fields.text("id"),
        caregiver_id=fields.text("caregiver_id"),
        client_id=fields.text("client_id"),
        service_id=fields.text("service_id"),
        start=fields.moment("start"),
        end=fields.moment("end"),
    )


def planning_json(planning: PlanningPush) -> Json:
    return {
        "caregiver_id": planning.caregiver_id,
        "interventions": [_intervention_json(i) for i in planning.interventions],
        "services": [_service_json(s) for s in planning.services],
        "alert": planning.alert,
    }


def planning_from(fields: Fields) -> PlanningPush:
    return fields.build(
        PlanningPush,
        caregiver_id=fields.text("caregiver_id"),
        interventions=tuple(_intervention_from(i) for i in fields.objects("interventions")),
        services=tuple(_service_from(s) for s in fields.objects("services")),
        alert=fields.flag("alert"),
    )

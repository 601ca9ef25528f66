"""People over the API. Thin: reads through ``people.selectors`` (out of jurisdiction → 404),
writes through ``people.services``; views and searches are audited like the web pages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from openprobation.accounts.models import Office, User
from openprobation.accounts.permissions import api_user, needs_cap
from openprobation.accounts.roles import Cap
from openprobation.core.api import ApiView, ErrorSerializer, Pagination, error_body, parse_pk
from openprobation.core.exceptions import DomainError
from openprobation.core.serializers import TimelinePageSerializer, TimelineQuerySerializer
from openprobation.core.timeline import timeline_page
from openprobation.people.iin import IinError, parse_iin, validate_iin_against
from openprobation.people.models import AddressKind, Person
from openprobation.people.selectors import (
    person_detail,
    person_for_change,
    person_search,
)
from openprobation.people.serializers import (
    AddressSerializer,
    AddressSetSerializer,
    DocumentSerializer,
    FamilyMemberSerializer,
    IinCheckQuerySerializer,
    IinCheckSerializer,
    PersonCreateSerializer,
    PersonDataSerializer,
    PersonSearchQuerySerializer,
    PersonSerializer,
    PersonSummarySerializer,
    PossibleDuplicateSerializer,
)
from openprobation.people.services import (
    DuplicatePersonError,
    address_set,
    document_add,
    family_member_add,
    iin_registration_answer,
    person_create,
    person_update,
)


def _visible_person(user: User, pk: Any) -> Person:
    """The person if the caller's jurisdiction covers them, recorded as a view; otherwise
    DoesNotExist → 404."""
    return person_detail(user=user, pk=parse_pk(pk))


def _person_to_change(user: User, pk: Any) -> Person:
    """The person to change (the service checks and records the change); otherwise 404."""
    return person_for_change(user=user, pk=parse_pk(pk))


def _registering_office(user: User, office_id: int | None) -> Office:
    if office_id is None:
        if user.office is None:
            raise DomainError(_("Choose the office that registers the person."), field="office", code="required")
        return user.office
    office = Office.objects.filter(pk=office_id).first()
    if office is None:
        raise DomainError(_("There is no such office."), field="office", code="does_not_exist")
    return office


def _duplicate_answer(err: DuplicatePersonError) -> Response:
    """A duplicate refusal: ids only of the people the caller may open; of the others only that
    there are some (``services.registered_answer`` decides, and records the answer)."""
    body = error_body(err)
    answer = err.answer
    if answer.code == "duplicate_iin":
        body["in_jurisdiction"] = answer.in_jurisdiction
        if answer.visible:
            body["existing"] = answer.visible[0].pk
    else:
        body["duplicates"] = sorted(p.pk for p in answer.visible)
        body["registered_elsewhere"] = answer.elsewhere
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


class PersonListView(ApiView):
    pagination_class = Pagination  # the list is paged; the schema documents the page
    permission_classes = [*ApiView.permission_classes, needs_cap(Cap.PERSON_CREATE, methods=("POST",))]

    @extend_schema(
        parameters=[PersonSearchQuerySerializer],
        responses=PersonSummarySerializer(many=True),
        summary="Search people of my jurisdiction",
    )
    def get(self, request: Request) -> Response:
        user = api_user(request)
        params = PersonSearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = params.validated_data.get("q", "").strip()
        people = person_search(user=user, query=query).select_related("registered_office")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(people, request, view=self)
        return paginator.get_paginated_response(PersonSummarySerializer(page, many=True).data)

    @extend_schema(
        request=PersonCreateSerializer,
        responses={
            201: PersonSerializer,
            400: OpenApiResponse(PossibleDuplicateSerializer, description="Invalid, or a possible duplicate."),
            403: ErrorSerializer,
        },
        summary="Register a person",
    )
    def post(self, request: Request) -> Response:
        user = api_user(request)
        form = PersonCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        office = _registering_office(user, data.pop("office", None))
        addresses = data.pop("addresses", [])
        documents = data.pop("documents", [])
        family = data.pop("family", [])
        confirm = data.pop("confirm_not_duplicate", False)
        try:
            person = person_create(
                actor=user,
                office=office,
                data=data,
                addresses=addresses,
                documents=documents,
                family=family,
                confirm_not_duplicate=confirm,
            )
        except DuplicatePersonError as err:
            return _duplicate_answer(err)
        person = person_for_change(user=user, pk=person.pk)
        return Response(PersonSerializer(person).data, status=status.HTTP_201_CREATED)


class PersonDetailView(ApiView):
    @extend_schema(responses={200: PersonSerializer, 404: ErrorSerializer}, summary="One person (audited)")
    def get(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        person = _visible_person(user, pk)
        return Response(PersonSerializer(person).data)

    @extend_schema(
        request=PersonDataSerializer(partial=True),
        responses={200: PersonSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        summary="Change a person's details",
    )
    def patch(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        person = _person_to_change(user, pk)
        form = PersonDataSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        try:
            person_update(actor=user, person=person, data=dict(form.validated_data))
        except DuplicatePersonError as err:
            return _duplicate_answer(err)
        return Response(PersonSerializer(person_for_change(user=user, pk=person.pk)).data)


class PersonFamilyView(ApiView):
    @extend_schema(
        request=FamilyMemberSerializer,
        responses={201: FamilyMemberSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        summary="Add a family member",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        person = _person_to_change(user, pk)
        form = FamilyMemberSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        member = family_member_add(actor=user, person=person, data=dict(form.validated_data))
        return Response(FamilyMemberSerializer(member).data, status=status.HTTP_201_CREATED)


class PersonAddressView(ApiView):
    @extend_schema(
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=AddressKind.values)],
        request=AddressSetSerializer,
        responses={200: AddressSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        summary="Set the registered or actual address",
    )
    def put(self, request: Request, pk: int, kind: str) -> Response:
        user = api_user(request)
        person = _person_to_change(user, pk)
        if kind not in AddressKind.values:
            raise exceptions.ValidationError(
                {
                    "kind": [
                        _("Unknown kind of address; use one of: %(kinds)s.") % {"kinds": ", ".join(AddressKind.values)}
                    ]
                }
            )
        form = AddressSetSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        address = address_set(actor=user, person=person, kind=kind, data=dict(form.validated_data))
        return Response(AddressSerializer(address).data)


class PersonDocumentView(ApiView):
    @extend_schema(
        request=DocumentSerializer,
        responses={201: DocumentSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        summary="Add an identity document",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        person = _person_to_change(user, pk)
        form = DocumentSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        doc = document_add(actor=user, person=person, data=dict(form.validated_data))
        return Response(DocumentSerializer(doc).data, status=status.HTTP_201_CREATED)


class PersonTimelineView(ApiView):
    @extend_schema(
        parameters=[TimelineQuerySerializer],
        responses={200: TimelinePageSerializer, 404: ErrorSerializer},
        summary="The person's timeline across the cases I may see, newest first, paged (audited)",
    )
    def get(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        params = TimelineQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        person = person_detail(user=user, pk=parse_pk(pk), part="timeline")
        return Response(TimelinePageSerializer(timeline_page(user=user, person=person, **params.validated_data)).data)


class IinCheckView(ApiView):
    @extend_schema(
        parameters=[IinCheckQuerySerializer],
        responses={200: IinCheckSerializer, 400: ErrorSerializer},
        summary="Check an IIN (and that it agrees with a birth date and sex); returns no personal data",
    )
    def get(self, request: Request) -> Response:
        params = IinCheckQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        answer: dict[str, Any] = {
            "valid": False,
            "birth_date": None,
            "sex": None,
            "error": None,
            "part": None,
            "registered": None,
        }
        try:
            info = parse_iin(params.validated_data["iin"])
            answer.update(birth_date=info.birth_date, sex=info.sex)
            validate_iin_against(
                info.iin,
                birth_date=params.validated_data.get("birth_date"),
                sex=params.validated_data.get("sex"),
            )
        except IinError as err:
            answer.update(error=str(err.message), part=err.part)
        else:
            answer["valid"] = True
            registered = iin_registration_answer(actor=api_user(request), iin=info.iin)
            if registered is not None:
                answer["registered"] = {
                    "in_jurisdiction": registered.in_jurisdiction,
                    "person": registered.visible[0].pk if registered.visible else None,
                    "detail": registered.message,
                }
        return Response(IinCheckSerializer(answer).data)

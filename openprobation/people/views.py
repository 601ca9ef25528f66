"""People pages. Thin: every read goes through ``people.selectors``, every write through
``people.services``; out-of-jurisdiction people are 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms.utils import ErrorDict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from openprobation.accounts.permissions import own_office, require_cap, staff_user
from openprobation.accounts.roles import Cap, has_cap
from openprobation.accounts.scoping import Level, level_of, offices_for_user
from openprobation.core.exceptions import DomainError
from openprobation.core.forms import apply_domain_error
from openprobation.core.sections import person_sections
from openprobation.core.timeline import clamp_page, timeline_page
from openprobation.core.timeutil import local_today
from openprobation.people.countries import citizenship_name
from openprobation.people.forms import (
    AddressForm,
    AddressSetForm,
    DocumentAddForm,
    DocumentForm,
    FamilyFormSet,
    FamilyMemberAddForm,
    PersonCreateForm,
    PersonForm,
)
from openprobation.people.models import AddressKind, DocumentStatus, Language, Person, Relation
from openprobation.people.selectors import (
    known_localities,
    person_detail,
    person_editable_by,
    person_for_change,
    person_search,
    person_shown,
)
from openprobation.people.services import (
    DuplicatePersonError,
    RegisteredAnswer,
    address_set,
    document_add,
    family_member_add,
    person_create,
    person_update,
)
from openprobation.rules.rulebook import RuleMissing, rule

PAGE_SIZE = 25


def _visible_person(request: HttpRequest, pk: int, *, part: str = "") -> Person:
    """The person, recorded as a view (an edit form shows their details too); else 404."""
    try:
        return person_detail(user=request.user, pk=pk, part=part)
    except Person.DoesNotExist:
        raise Http404 from None


def _person_to_change(request: HttpRequest, pk: int) -> Person:
    """The person a form posts a change to (the service records the change); else 404."""
    try:
        return person_for_change(user=request.user, pk=pk)
    except Person.DoesNotExist:
        raise Http404 from None


def _person_for_form(request: HttpRequest, pk: int) -> Person:
    """Showing a form with the person's details is a read; posting it is a change. Either is
    refused (403) where the person is only history (``selectors.person_editable_by``)."""
    person = _person_to_change(request, pk) if request.method == "POST" else _visible_person(request, pk, part="edit")
    if not person_editable_by(request.user, person):
        raise PermissionDenied
    return person


_require = require_cap


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    _require(request, Cap.CASE_VIEW)
    query = request.GET.get("q", "").strip()[:100]
    people = person_search(user=request.user, query=query).select_related("registered_office")
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/list.html",
        {
            "page_obj": page,
            "query": query,
            "today": local_today(),
            "can_create": has_cap(request.user, Cap.PERSON_CREATE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_create_view(request: HttpRequest) -> HttpResponse:
    _require(request, Cap.PERSON_CREATE)
    user = staff_user(request)
    choose_office = level_of(user) is not Level.OFFICE
    offices = offices_for_user(user) if choose_office else None
    data = request.POST.copy() if request.method == "POST" else None
    # Without script, "Add a family member" / "Add an identity document" post the form back to
    # show one more block (app.js reveals it in place instead); nothing is registered then.
    adding = data is not None and ("add_family" in data or "add_document" in data)
    if data is not None and "add_family" in data:
        total = _int_or_zero(data.get("family-TOTAL_FORMS"))
        data["family-TOTAL_FORMS"] = str(min(total + 1, FamilyFormSet.max_num or 20))
    form = PersonCreateForm(data, offices=offices)
    registered = AddressForm(data, prefix="reg")
    actual = AddressForm(data, prefix="act")
    # The document block counts only once it is shown (its fields are posted with "doc-shown").
    show_document = data is not None and ("add_document" in data or "doc-shown" in data)
    document = DocumentForm(data if show_document else None, prefix="doc")
    family = FamilyFormSet(data, prefix="family")
    answer: RegisteredAnswer | None = None
    if adding:
        for part in (form, registered, actual, family, *([document] if document.is_bound else [])):
            _quiet(part)
    elif data is not None:
        # Validate every part so all errors show at once.
        parts: list[Any] = [form, registered, actual, family, *([document] if show_document else [])]
        results = [f.is_valid() for f in parts]
        if all(results):
            office = form.cleaned_data["office"] if choose_office else own_office(user)
            addresses = [
                {"kind": AddressKind.REGISTERED, **registered.address_data()},
                {"kind": AddressKind.ACTUAL, **(registered if data.get("actual_same") else actual).address_data()},
            ]
            members = [f.member_data() for f in family.forms if f.has_changed() and f.cleaned_data.get("full_name")]
            try:
                person = person_create(
                    actor=user,
                    office=office,
                    data=form.person_data(),
                    addresses=[a for a in addresses if a.get("locality")],
                    documents=[document.document_data()] if show_document and document.cleaned_data.get("kind") else [],
                    family=members,
                    confirm_not_duplicate=form.cleaned_data["confirm_not_duplicate"],
                )
            except DomainError as err:
                # What the page may show of people already registered (``registered_answer``).
                if isinstance(err, DuplicatePersonError):
                    answer = err.answer
                apply_domain_error(form, err)
            else:
                messages.success(request, _("%(name)s is registered.") % {"name": person.full_name})
                return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/create.html",
        {
            "form": form,
            "registered": registered,
            "actual": actual,
            "document": document,
            "family": family,
            "existing": answer.visible[0] if answer and answer.code == "duplicate_iin" and answer.visible else None,
            "namesakes": answer if answer and answer.code == "possible_duplicate" else None,
            "actual_same": bool(data and data.get("actual_same")),
            "show_document": show_document or bool(document.is_bound and document.errors),
            "localities": known_localities(user=request.user),
        },
    )


def _int_or_zero(value: Any) -> int:
    text = str(value or "")
    return min(int(text), 1000) if text.isascii() and text.isdigit() else 0


def _quiet(part: Any) -> None:
    """A form posted back only to show one more block keeps what was typed, without errors."""
    if hasattr(part, "forms"):
        part.full_clean()
        for each in part.forms:
            _quiet(each)
        part._errors = [each.errors for each in part.forms]
        part._non_form_errors = part.error_class()
        return
    part.full_clean()
    part._errors = ErrorDict()


def _child_and_minor_ages(today: Any) -> tuple[int | None, int | None]:
    try:
        params = rule("pretrial.eligibility", on=today).params
    except RuleMissing:
        return None, None
    return int(params["child_age_below"]), int(params["minor_age_below"])


@login_required
def person_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    person = _visible_person(request, pk)
    today = local_today()
    child_age, minor_age = _child_and_minor_ages(today)
    age = person.age_on(today)
    family = list(person.family.all())
    is_minor = minor_age is not None and age < minor_age
    language_labels = dict(Language.choices)
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "age": age,
            "today": today,
            "languages": [language_labels.get(code, code) for code in person.languages],
            "addresses": list(person.addresses.all()),
            "documents": list(person.documents.all()),
            "problem_statuses": {DocumentStatus.LOST, DocumentStatus.MISSING, DocumentStatus.EXPIRED},
            "status_valid": DocumentStatus.VALID,
            "citizenship": citizenship_name(person.citizenship),
            "family": family,
            "child_age": child_age,
            "young_children": person.children_under(child_age, on=today) if child_age else [],
            "minor_without_representative": is_minor and not any(m.legal_representative for m in family),
            "is_minor": is_minor,
            # What the apps above ``people`` show here (cases, later duties, programmes, devices),
            # and the one timeline they all contribute to.
            "sections": person_sections(user=user, person=person, today=today),
            "timeline": timeline_page(user=user, person=person, page=clamp_page(request.GET.get("history"))[0]),
            "can_open_case": has_cap(user, Cap.CASE_OPEN),
            "can_edit": person_editable_by(user, person),
            "relation_child": Relation.CHILD,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Cap.PERSON_EDIT)
    person = _person_for_form(request, pk)
    form = PersonForm(request.POST or None, initial=PersonForm.initial_for(person))
    if request.method == "POST" and form.is_valid():
        try:
            person_update(actor=staff_user(request), person=person, data=form.person_data())
        except DomainError as err:
            apply_domain_error(form, err)
            person.refresh_from_db()
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("people:detail", pk=person.pk)
    _shown_again(request, person)
    return render(request, "people/edit.html", {"person": person, "form": form})


def _shown_again(request: HttpRequest, person: Person) -> None:
    """A posted form that comes back (errors, or refused) shows the person: a read to record.
    (Shown on a GET, the read was recorded when the person was found.)"""
    if request.method == "POST":
        person_shown(user=request.user, person=person, part="edit")


def _small_form_page(
    request: HttpRequest,
    person: Person,
    form: Any,
    *,
    title: str,
    form_id: str,
    submit: str,
    localities: list[str] | None = None,
) -> HttpResponse:
    _shown_again(request, person)
    return render(
        request,
        "people/small_form.html",
        {
            "person": person,
            "form": form,
            "title": title,
            "form_id": form_id,
            "submit": submit,
            "localities": localities,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def add_family_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Cap.PERSON_EDIT)
    person = _person_for_form(request, pk)
    form = FamilyMemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            family_member_add(actor=staff_user(request), person=person, data=form.member_data())
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            messages.success(request, _("The family member is added."))
            return redirect("people:detail", pk=person.pk)
    return _small_form_page(
        request, person, form, title=_("Add a family member"), form_id="family-form", submit=_("Add")
    )


@login_required
@require_http_methods(["GET", "POST"])
def set_address_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Cap.PERSON_EDIT)
    person = _person_for_form(request, pk)
    kind = request.GET.get("kind", AddressKind.REGISTERED)
    if kind not in AddressKind.values:
        kind = AddressKind.REGISTERED
    current = next((a for a in person.addresses.all() if a.kind == kind), None)
    initial: dict[str, Any] = {"kind": kind}
    if current is not None:
        initial.update(
            {f: getattr(current, f) for f in ("region", "locality", "street", "building", "apartment", "postcode")}
        )
    form = AddressSetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            address_set(
                actor=staff_user(request), person=person, kind=form.cleaned_data["kind"], data=form.address_data()
            )
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            messages.success(request, _("The address is saved."))
            return redirect("people:detail", pk=person.pk)
    return _small_form_page(
        request,
        person,
        form,
        title=_("Set an address"),
        form_id="address-form",
        submit=_("Save"),
        localities=known_localities(user=request.user),
    )


@login_required
@require_http_methods(["GET", "POST"])
def add_document_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Cap.PERSON_EDIT)
    person = _person_for_form(request, pk)
    form = DocumentAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            document_add(actor=staff_user(request), person=person, data=form.document_data())
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            messages.success(request, _("The document is added."))
            return redirect("people:detail", pk=person.pk)
    return _small_form_page(
        request, person, form, title=_("Add an identity document"), form_id="document-form", submit=_("Add")
    )

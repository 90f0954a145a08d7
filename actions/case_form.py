"""What every case form shares: contact checks, corrections before confirming, the read-back."""

from __future__ import annotations

import re
import uuid
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from oirs_rules import contact as contact_rules
from oirs_rules.names import join_name_parts, only_first_names, parse_name
from oirs_rules.places import (
    corrected_place,
    find_place,
    is_precise,
    mentions_a_place,
    parse_place,
    says_no_place,
    vague_place,
)
from rasa_sdk import Action, FormValidationAction, Tracker, utils
from rasa_sdk.events import ActionExecutionRejected, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.adjuntos import (
    SHARED_CONTACT,
    SHARED_LOCATION,
    attachments_summary,
    has_contact_card,
    shared_phone,
    shared_place,
    typed_text,
)
from actions.common import (
    NO_PLACE,
    NO_RUT,
    REPLY_CHANNELS,
    case_channel,
    category_label,
    channel_reply_contact,
    first_value,
    rut_given,
)
from actions.emergencia import emergency_response
from actions.messages import catalog, is_spoken, render, say
from actions.themes import confident_theme
from actions.validators import (
    find_email,
    find_name,
    find_phone,
    fold,
    is_substantive,
    refuses,
    strip_contact_data,
)

# words that name a field in "no, la dirección es …" (folded, no accents) -> slot
FIELD_WORDS = {
    "direccion": "direccion",
    "lugar": "direccion",
    "calle": "direccion",
    "ubicacion": "direccion",
    "nombre": "nombre",
    "apellido": "nombre",
    "telefono": "contacto",
    "fono": "contacto",
    "celular": "contacto",
    "numero": "contacto",
    "correo": "contacto",
    "mail": "contacto",
    "contacto": "contacto",
    "descripcion": "descripcion",
    "problema": "descripcion",
    "detalle": "descripcion",
    "categoria": "categoria",
    "tema": "categoria",
    "tipo": "categoria",
    "rut": "rut",
    "unidad": "unidad_felicitada",
    "funcionari": "unidad_felicitada",
    "informacion": "informacion_solicitada",
    "documento": "informacion_solicitada",
    "notificacion": "sai_notificacion",
    "domicilio": "sai_notificacion",
}
_VALUE_AFTER_RE = re.compile(
    r"\b(?:es|era|seria|sería|correcta es|correcto es|son)\b\s*:?\s*(.+)$|:\s*(.+)$", re.IGNORECASE
)


_QUESTION_RE = re.compile(
    r"\?|^\s*(?:como|cuando|donde|que|cual|cuanto|cuanta|por que|quien|puedo|se puede)\b"
)
# answers that are free text: a question there is a question, not an answer
FREE_TEXT_SLOTS = ("descripcion", "informacion_solicitada", "unidad_felicitada")


class FaqAwareValidation(FormValidationAction, ABC):
    """Lets an FAQ asked in the middle of a form be answered, then the form goes on.

    Slot mappings take any text as the answer to the requested slot (the NLU often calls a
    name or an address `faq`); only when that text is not a valid answer, or is a question
    where free text was asked, the form steps aside so the FAQ rule answers it.
    """

    @abstractmethod
    def name(self) -> str:
        """validate_<form>."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        slot = tracker.get_slot("requested_slot")
        if slot and await self.is_faq_interruption(slot, tracker, domain):
            return [SlotSet(slot, None), ActionExecutionRejected(self.form_name())]
        return await super().run(dispatcher, tracker, domain)

    async def is_faq_interruption(self, slot: str, tracker: Tracker, domain: DomainDict) -> bool:
        """True when the latest message is an FAQ question rather than the answer asked for."""
        message = tracker.latest_message or {}
        if (message.get("intent") or {}).get("name") != "faq":
            return False
        value = tracker.slots_to_validate().get(slot)
        if value is None:
            return False
        if slot in FREE_TEXT_SLOTS:
            return bool(_QUESTION_RE.search(fold(message.get("text") or "")))
        validator = getattr(self, f"validate_{slot}", None)
        if validator is None:
            return False
        result = await utils.call_potential_coroutine(
            validator(value, CollectingDispatcher(), tracker, domain)
        )
        return result.get(slot) is None and not result.get("nombre_pila")


# themes where a place is not what staff need: the office or the clerk is in the description
PLACELESS_THEMES = ("atencion",)


class CaseFormValidation(FaqAwareValidation, ABC):
    """Validation shared by the reclamo, sugerencia, felicitación and SAI forms."""

    case_type: ClassVar[str]
    # slots a correction may touch in this form (the read-back shows them)
    correctable: ClassVar[tuple[str, ...]] = ()
    # form-specific meaning of field words, over FIELD_WORDS
    field_aliases: ClassVar[dict[str, str]] = {}
    registry: ClassVar[dict[str, type[CaseFormValidation]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "case_type", None):
            CaseFormValidation.registry[f"{cls.case_type}_form"] = cls

    def name(self) -> str:
        return f"validate_{self.case_type}_form"

    @staticmethod
    @abstractmethod
    def summary(tracker: Tracker) -> tuple[str, dict[str, Any]]:
        """Response name and values that read the collected case back to the resident."""

    @staticmethod
    @abstractmethod
    def correction_response() -> str:
        """Response asking which field to correct."""

    # --- what to ask -----------------------------------------------------------------------

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        slots = list(domain_slots)
        if "contacto" in slots and (tracker.slots.get("telefono") or tracker.slots.get("email")):
            slots.remove("contacto")
        if tracker.slots.get("categoria") in PLACELESS_THEMES and "direccion" in slots:
            slots.remove("direccion")  # a clerk's treatment is not found at a street corner
        return slots

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> EventType | None:
        """Always decide here which slot comes next (None ends the form)."""
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        missing = next((slot for slot in required if tracker.slots.get(slot) is None), None)
        return SlotSet("requested_slot", missing)

    async def get_validation_events(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[EventType]:
        extras = self.validate_contact_entities(dispatcher, tracker)
        tracker.slots.update(extras)
        events = await super().get_validation_events(dispatcher, tracker, domain)
        validated = {event["name"] for event in events}
        return [
            SlotSet(key, value) for key, value in extras.items() if key not in validated
        ] + events

    def validate_contact_entities(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """What the latest message holds besides the answer asked: phone, e-mail and RUT
        anywhere; in the opening message (nothing asked yet) the resident's own name and place.

        Deterministic parsers read the text (the statistical tagger cut places and took house
        numbers for phones); a value is only ever added or replaced by a newer valid one, never
        cleared because this message held something that did not check.
        """
        text = typed_text(tracker)
        if not text:
            return {}
        asked = tracker.get_slot("requested_slot")
        result: dict[str, Any] = {}
        phones = contact_rules.find_phones(text)
        if phones and asked not in ("rut", "direccion"):
            result["telefono"] = contact_rules.meant(phones, text)
        elif phones and asked == "direccion" and _PHONE_CUE.search(fold(text)):
            result["telefono"] = phones[0]  # "Los Olivos 1340, mi fono 9 8765 4321"
        emails = contact_rules.find_emails(text)
        if emails:
            # "camila.moya@gmail.com, escribí mal antes, es camila.moya.b@gmail.com"
            result["email"] = contact_rules.meant(emails, text)
            if asked == "contacto" and not phones and contact_rules.says_same_channel(text):
                # "a este mismo número o al correo …": the channel too, not only the e-mail
                result.update(channel_reply_contact(tracker) or {})
                result["email"] = contact_rules.meant(emails, text)
        ruts = contact_rules.find_ruts(text)
        if ruts:
            result["rut"] = contact_rules.format_rut(ruts[0])
        elif contact_rules.rut_candidates(text) and (asked == "rut" or "rut" in fold(text)):
            say(dispatcher, tracker, "rut_invalido", valor=contact_rules.rut_candidates(text)[0])
        if asked in (None, "descripcion"):
            result.update(self._opening_values(tracker, text))
        elif asked not in ("direccion", "confirmacion") and tracker.slots.get("direccion"):
            # "Perdón, me equivoqué de número: es Las Acacias 545", "perdón, es el 303"
            place = corrected_place(text, tracker.slots.get("direccion"))
            if place:
                result["direccion"] = place
        return result

    def _opening_values(self, tracker: Tracker, text: str) -> dict[str, Any]:
        """Name and place the resident gave unasked, as deterministic parsers read them."""
        found: dict[str, Any] = {}
        name = find_name(text)
        if name and not tracker.slots.get("nombre"):
            if len(name.split()) == 1 or only_first_names(name):
                if not tracker.slots.get("nombre_pila"):
                    found["nombre_pila"] = name  # the form will ask for the surnames
            else:
                found["nombre"] = name
        if "direccion" in self.opening_fields and not tracker.slots.get("direccion"):
            place = opening_place(tracker, text, name)
            for earlier in earlier_messages(tracker):
                if place:
                    break
                place = find_place(earlier)  # "hola, es en Avenida Recoleta 3320", then the rest
            if place and is_precise(place):
                found["direccion"] = place
            elif place and self.case_type != "felicitacion":
                # "la plaza grande": kept as a hint, the form asks where exactly
                found["lugar_mencionado"] = place
            elif not place and self.case_type == "sugerencia" and vague_place(text):
                # "un punto de reciclaje en la villa": which villa is asked (or "no")
                found["lugar_mencionado"] = vague_place(text)
        return found

    # fields besides contact data that the opening message may already hold
    opening_fields: ClassVar[tuple[str, ...]] = ()
    # the place is asked as optional: an answer that names none files the case without one
    optional_place: ClassVar[bool] = False

    # --- slot validators -------------------------------------------------------------------

    async def validate_descripcion(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = first_value(value) or ""
        if not is_substantive(text):
            if tracker.get_slot("requested_slot") == "descripcion":
                say(dispatcher, tracker, "descripcion_corta")
            return {"descripcion": None}
        # an emergency is told first; a story already taken (details added later) or a
        # felicitación ("trataron de entrar a robar y llegaron al tiro") is none
        first_telling = not previous_value(tracker, "descripcion")
        emergency = (
            emergency_response(text) if first_telling and self.case_type != "felicitacion" else None
        )
        if emergency:
            # an emergency is never filed: numbers first, and the form asks what else to register
            say(dispatcher, tracker, emergency)
            say(dispatcher, tracker, "emergencia_despues")
            return {"descripcion": None}
        # contact data, name and place in it are read by validate_contact_entities
        return await self.with_unasked_theme({"descripcion": strip_contact_data(text)}, tracker)

    async def with_unasked_theme(self, result: dict[str, Any], tracker: Tracker) -> dict[str, Any]:
        """Sugerencias and felicitaciones never ask the theme: the classifier's reading of
        the description goes with the case when it is probable enough."""
        if self.case_type in ("sugerencia", "felicitacion") and not previous_value(
            tracker, "categoria"
        ):
            result["categoria"] = await confident_theme(result["descripcion"])
        return result

    # where follow-up details go (the SAI's is the information requested)
    details_slot: ClassVar[str] = "descripcion"

    def with_details(self, tracker: Tracker, details: str) -> dict[str, Any]:
        """Follow-up details are added to the case's text, never lost."""
        current = tracker.get_slot(self.details_slot)
        details = details.strip()
        if not current:
            return {self.details_slot: details}
        if fold(details) in fold(current):
            return {self.details_slot: current}
        return {self.details_slot: f"{current.rstrip(' .')}. {details}"}

    async def validate_categoria(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Forms that never ask the theme take it from the meaning of the description when the
        classifier is sure; a word the tagger marked elsewhere does not change it."""
        description = tracker.slots_to_validate().get("descripcion")
        if tracker.get_slot("requested_slot") is None and description:
            return {"categoria": await confident_theme(str(description))}
        return {"categoria": previous_value(tracker, "categoria")}

    def validate_direccion(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        asked = tracker.get_slot("requested_slot")
        if value == SHARED_LOCATION:
            # the address question answered with a shared place (its coordinates go to the case)
            place = shared_place(tracker)
            if place is not None:
                return {"direccion": place}
            value = typed_text(tracker)  # typed "le mando la ubicación": a place if it names one
            if not parse_place(value or ""):
                say(dispatcher, tracker, "ubicacion_no_recibida")
                return {"direccion": None}
        if asked not in ("direccion", "confirmacion"):
            # only the answer to "where?" (or a correction) sets the place once the form asks
            return {"direccion": previous_value(tracker, "direccion")}
        text = first_value(value) or ""
        mentioned = tracker.get_slot("lugar_mencionado") if asked == "direccion" else None
        if mentioned and _keeps_mentioned_place(text):
            return {"direccion": mentioned}  # "ahí mismo", "no sé el número": what they said
        if mentioned and _denies_place(text):
            return {"direccion": NO_PLACE}  # "no, es en general": no one place
        introduced = find_name(text) if asked == "direccion" else None
        if introduced and _INTRODUCES.match(fold(text)):
            # "soy Rodrigo Sepúlveda Araya, rut …" sent while "where?" was asked: the name, not
            # the place (the RUT is read by validate_contact_entities); the place is asked again
            return {"direccion": None, **name_slots(tracker, introduced)}
        place = parse_place(text)
        if place is None and says_no_place(text):
            return {"direccion": NO_PLACE}  # staff see it was asked and there is none
        if self.optional_place and asked == "direccion" and (place is None or _denies_place(text)):
            story = place is None and not _denies_place(text) and is_substantive(text, min_words=4)
            if story:
                # more of the story sent while "where?" was asked: it joins the description and
                # the question is asked once more
                again = None if not _asked_twice(tracker, "direccion") else NO_PLACE
                return {"direccion": again, **self.with_details(tracker, text)}
            # "no", "fue en la municipalidad no más": the sugerencia or felicitación has no place
            return {"direccion": NO_PLACE}
        if place is None:
            result: dict[str, Any] = {"direccion": None}
            if (
                asked == "direccion"
                and is_substantive(text, min_words=3)
                and not mentions_a_place(text)
            ):
                # more about the problem sent while the place was asked ("nadie lo saca", "en
                # pleno verano y nadie avisa"): it joins the description, the place is asked again
                result.update(self.with_details(tracker, text))
            elif asked == "direccion":
                say(dispatcher, tracker, "direccion_invalida")
            return result
        result = {"direccion": place}
        rest = _after(text, place)
        if asked == "direccion" and is_substantive(rest, min_words=4):
            result.update(self.with_details(tracker, rest))
        return result

    def validate_nombre(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        asked = tracker.get_slot("requested_slot")
        if asked not in ("nombre", "confirmacion"):
            # only the answer to the name question (or a correction) is the resident's name
            return {"nombre": previous_value(tracker, "nombre")}
        text = first_value(value) or ""
        first_name = tracker.get_slot("nombre_pila")
        if refuses(text) or (first_name and _declines(tracker)):
            if first_name:
                return {"nombre": first_name, "nombre_pila": None}  # no surnames: the first name
            if asked == "nombre":
                say(dispatcher, tracker, "nombre_rechazado")
            return {"nombre": None}
        if asked == "nombre" and tracker.get_slot("direccion") and corrected_place(text):
            # "Corrijo: el número es 504": the place was corrected (validate_contact_entities),
            # the name is still to be asked
            return {"nombre": None}
        name = parse_name(text)
        if name is None and asked == "nombre" and is_substantive(text, min_words=3):
            # more about the case sent while the name was asked: it is kept, the name asked again
            return {"nombre": None, **self.with_details(tracker, text)}
        if name is None:
            say(dispatcher, tracker, "nombre_invalido")
            return {"nombre": None}
        if first_name and asked == "nombre":
            return {"nombre": join_name_parts(first_name, name), "nombre_pila": None}
        if asked == "nombre" and (len(name.split()) == 1 or only_first_names(name)):
            return {"nombre": None, "nombre_pila": name}  # "Héctor", "Juan Pablo": ask surnames
        return {"nombre": name, "nombre_pila": None}

    def validate_rut(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The optional RUT asked after the name: a valid one is kept, a wrong check digit is
        asked again (validate_contact_entities says why), anything else declines it."""
        asked = tracker.get_slot("requested_slot")
        text = typed_text(tracker) or first_value(value) or ""
        ruts = contact_rules.find_ruts(text)
        if ruts:
            return {"rut": contact_rules.format_rut(ruts[0])}
        if asked != "rut":
            return {"rut": previous_value(tracker, "rut")}
        if contact_rules.rut_candidates(text):
            if _rut_refused_before(tracker):
                # a second RUT that does not check: the case goes on without it
                say(dispatcher, tracker, "rut_sin_validar")
                return {"rut": NO_RUT}
            return {"rut": None}  # "12.345.678-4": the check digit does not match
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        declines = intent in ("negar", "cancelar") or refuses(text) or len(text.split()) <= 3
        if not declines and is_substantive(text, min_words=4) and not _asked_twice(tracker, "rut"):
            # "NO SE PUEDE DORMIR", more of the story sent while the RUT was asked: it joins
            # the description and the RUT is asked once more
            return {"rut": None, **self.with_details(tracker, text)}
        # "no", "prefiero no darlo", "no lo considero necesario": the case goes on without it
        return {"rut": NO_RUT}

    def validate_contacto(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = first_value(value) or ""
        if text == SHARED_CONTACT:
            # the contact question answered with a contact card: its phone, checked like a typed one
            if has_contact_card(tracker):
                shared = shared_phone(tracker)
                if shared is None:
                    say(dispatcher, tracker, "contacto_sin_telefono")
                    return {"contacto": None}
                return {"contacto": shared, "telefono": shared}
            text = typed_text(tracker)  # "mi contacto es 987654321" read as sharing a card
        email, phone = find_email(text), find_phone(text)
        if email or phone:
            result: dict[str, Any] = {"contacto": email or phone}
            if email:
                result["email"] = email
            if phone:
                result["telefono"] = phone
            return result
        if contact_rules.says_same_channel(text):
            # "al mismo whatsapp nomás", "a este mismo número": the channel is the contact
            reply = channel_reply_contact(tracker)
            if reply is not None:
                return reply
            say(dispatcher, tracker, "contacto_canal_no_disponible")
            return {"contacto": None}
        digits = re.sub(r"\D", "", text)
        if 8 <= len(digits) <= 12:
            say(dispatcher, tracker, "telefono_invalido", valor=text.strip())
        else:
            say(dispatcher, tracker, "contacto_invalido")
        return {"contacto": None}

    async def validate_confirmacion(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        changed = set(tracker.slots_to_validate()) - {"confirmacion", "requested_slot"}
        # new contact data in the answer counts as a change; the tagger's guess does not
        # ("la dirección es Los Olivos 1340": 1340 is no phone)
        typed = typed_text(tracker)
        found = {
            "telefono": contact_rules.find_phones(typed),
            "email": contact_rules.find_emails(typed),
            "rut": contact_rules.find_ruts(typed),
        }
        changed |= {slot for slot, values in found.items() if values}
        field = _button_field(message)
        if field:
            return {**_clear(field), "confirmacion": None, "correccion": False}
        if changed:
            return {"confirmacion": None, "correccion": False}
        if intent == "afirmar":
            return {
                "confirmacion": "si",
                "correccion": False,
                "tipo_caso": self.case_type,
                "idempotency_key": tracker.get_slot("idempotency_key") or str(uuid.uuid4()),
            }
        correction = await self._typed_correction(
            first_value(value) or "", dispatcher, tracker, domain
        )
        if correction is not None:
            return {**correction, "confirmacion": None, "correccion": False}
        return {"confirmacion": None, "correccion": True}

    # --- helpers ---------------------------------------------------------------------------

    async def _typed_correction(
        self, text: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any] | None:
        """Typed correction: "la dirección es X" sets it, "la dirección" asks it again."""
        folded = fold(text)
        words = {**FIELD_WORDS, **self.field_aliases}
        slot = next(
            (s for word, s in words.items() if word in folded and s in self.correctable), None
        )
        if slot is None:
            return None
        match = _VALUE_AFTER_RE.search(text)
        new_value = next((group for group in match.groups() if group), None) if match else None
        if not new_value:
            return _clear(slot)
        validator = getattr(self, f"validate_{slot}", None)
        if validator is None:
            return {slot: new_value.strip(" .")}
        return dict(
            await utils.call_potential_coroutine(
                validator(new_value.strip(" ."), dispatcher, tracker, domain)
            )
        )


def _declines(tracker: Tracker) -> bool:
    """A "no" to the surnames question: the first name alone will do."""
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    text = fold(typed_text(tracker))
    return intent == "negar" or bool(re.fullmatch(r"(?:no|solo eso|nada mas|eso)[\s.!]*", text))


def earlier_messages(tracker: Tracker, limit: int = 3) -> list[str]:
    """The resident's messages just before the latest one, newest first, back to the last
    case filed or cancelled: what they said before asking to file is not lost."""
    texts: list[str] = []
    users = [e for e in tracker.events if e.get("event") == "user"]
    for event in reversed(users[:-1]):
        if len(texts) >= limit:
            break
        text = str(event.get("text") or "")
        if text.startswith("/"):
            continue
        texts.append(text)
    return texts


# "ahí mismo", "esa", "no sé el número": the vague place named first is all there is
_KEEPS_PLACE = re.compile(
    r"^(?:si|ya|eso|esa|ese|esa misma|ese mismo|la misma|el mismo|ahi|ahi mismo|ahi nomas|"
    r"correcto|exacto|en esa|en ese|justo ahi|no se|no se el numero|no se la direccion|"
    r"no tengo el numero|no me acuerdo|no recuerdo|no se exactamente)\b[\s,.!po]*$"
)


# a phone told while the place was asked: "Los Olivos 1340, mi fono …", "mi numero es …"
_PHONE_CUE = re.compile(r"fono|tel|cel|whats|numero")


# a message that starts by saying who writes: "soy …", "me llamo …", "mi nombre es …"
_INTRODUCES = re.compile(
    r"^\W*(?:(?:hola|buenas|si|ya|eh)\W+)*(?:soy|me llamo|mi nombre es|habla)\b"
)


def name_slots(tracker: Tracker, name: str) -> dict[str, Any]:
    """The name told unasked, unless the form already has one."""
    if tracker.get_slot("nombre"):
        return {}
    if len(name.split()) == 1 or only_first_names(name):
        return {"nombre_pila": name}
    return {"nombre": name}


def _asked_twice(tracker: Tracker, slot: str) -> bool:
    """Whether this is at least the second answer the resident gave while `slot` was asked
    (the form re-asks once; after that it takes what it gets)."""
    asked: str | None = None
    answers = 0
    for event in tracker.events:
        if event.get("event") == "slot" and event.get("name") == "requested_slot":
            asked = event.get("value")
        elif event.get("event") == "user" and asked == slot:
            answers += 1
    return answers >= 2


def _rut_refused_before(tracker: Tracker) -> bool:
    """Whether the bot already explained, in this form, that a RUT did not check."""
    invalid = render("rut_invalido", {"valor": ""})["text"].split("«")[0]
    return any(
        event.get("event") == "bot" and str(event.get("text") or "").startswith(invalid)
        for event in tracker.events
    )


def _keeps_mentioned_place(text: str) -> bool:
    return bool(_KEEPS_PLACE.match(fold(text).strip(" ,.!¡")))


# "no", "no en particular", "es en general": the sugerencia is not about one place
_DENIES_PLACE = re.compile(
    r"^(?:no|nop|no po|nah|ninguno|ninguna|no en particular|en general|es en general|"
    r"para toda la comuna|no es un lugar en particular)\b"
)


def _denies_place(text: str) -> bool:
    return bool(_DENIES_PLACE.match(fold(text).strip(" ,.!¡")))


def _after(text: str, place: str) -> str:
    """What the answer says after the place ("…, y ya se cayó una señora")."""
    index = fold(text).find(fold(place))
    return text[index + len(place) :].strip(" ,.;") if index >= 0 else ""


def opening_place(tracker: Tracker, text: str, name: str | None = None) -> str | None:
    """The place in a message where none was asked: the deterministic parser decides, the
    tagger's span only says where to look (its cut "Mackenna con" is never taken as it is)."""
    place = find_place(text)
    if place is None:
        for found in (tracker.latest_message or {}).get("entities") or []:
            start = found.get("start")
            if found.get("entity") != "direccion" or not isinstance(start, int):
                continue
            place = parse_place(text[start:])
            if place:
                break
    if place and name and fold(name) in fold(place):
        return None  # the resident's name is not a place
    return place


def previous_value(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the latest user message (its extraction overwrote it)."""
    events = tracker.events
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=0)
    for event in reversed(events[:last_user]):
        if event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def _button_field(message: dict[str, Any]) -> str | None:
    for entity in message.get("entities") or []:
        if entity.get("entity") == "campo" and entity.get("value"):
            return str(entity["value"])
    return None


def _clear(slot: str) -> dict[str, Any]:
    """Empty a slot so the form asks it again (contact: both phone and e-mail)."""
    if slot == "contacto":
        return {"contacto": None, "telefono": None, "email": None}
    if slot == "sai_notificacion":
        return {"sai_notificacion": None, "email": None}
    return {slot: None}


class ActionAskConfirmacion(Action):
    """Reads the case back before filing, or asks which field to correct."""

    def name(self) -> str:
        return "action_ask_confirmacion"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        form = CaseFormValidation.registry.get(tracker.active_loop_name or "")
        if form is None:
            return []
        if tracker.get_slot("correccion"):
            say(dispatcher, tracker, form.correction_response())
            return []
        response, values = form.summary(tracker)
        values.setdefault("adjuntos_texto", attachments_summary(tracker))
        place = tracker.get_slot("direccion")
        shown = place and place != NO_PLACE
        values.setdefault("lugar_texto", f"\n• Lugar: {place}" if shown else "")
        rut = rut_given(tracker)
        values.setdefault("rut_texto", f"\n• RUT: {rut}" if rut else "")
        say(dispatcher, tracker, response, **values)
        return []


def contact_text(tracker: Tracker) -> str:
    """How the resident will be contacted, for read-backs."""
    parts = [tracker.get_slot("email"), tracker.get_slot("telefono")]
    return " / ".join(part for part in parts if part) or "por este mismo canal"


# Slots the forms ask for; each gets an `action_ask_<slot>` that picks the form's own wording
# (`ask_<form>_<slot>` in the catalog) or the shared one (`ask_<slot>`).
ASKED_SLOTS = (
    "descripcion",
    "categoria",
    "direccion",
    "nombre",
    "contacto",
    "rut",
    "unidad_felicitada",
    "informacion_solicitada",
    "sai_notificacion",
    "folio",
    "factor",
)


def _category_payload(code: str) -> str:
    return '/informar{"categoria": "' + code + '"}'


def _ask_action(slot: str) -> type[Action]:
    class AskSlot(Action):
        __doc__ = f"Asks the resident for `{slot}` in the words of the active form."

        def name(self) -> str:
            return f"action_ask_{slot}"

        async def run(
            self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
        ) -> list[EventType]:
            key = f"ask_{tracker.active_loop_name}_{slot}"
            key = key if key in catalog() else f"ask_{slot}"
            suggested = tracker.get_slot("categorias_sugeridas")
            if slot == "categoria" and suggested:
                # the classifier was unsure: its three likeliest themes, then "another"
                text = render("ask_categoria_sugerida", {}, spoken=is_spoken(tracker))["text"]
                buttons = [
                    {"title": category_label(code), "payload": _category_payload(code)}
                    for code in dict.fromkeys([*suggested[:3], "otro"])
                ]
                dispatcher.utter_message(text=text, buttons=buttons)
                return []
            if slot == "nombre" and tracker.get_slot("nombre_pila"):
                key = "ask_apellidos"  # the first name came alone: the surnames complete it
            mentioned = tracker.get_slot("lugar_mencionado")
            if slot == "direccion" and mentioned:
                key = f"ask_{tracker.active_loop_name}_direccion_mencionada"
                say(dispatcher, tracker, key, lugar=mentioned)
                return []
            if slot == "contacto" and case_channel(tracker) in REPLY_CHANNELS:
                key = "ask_contacto_canal"  # offer the channel itself as the contact
            say(dispatcher, tracker, key)
            return []

    AskSlot.__name__ = AskSlot.__qualname__ = "ActionAsk" + slot.title().replace("_", "")
    return AskSlot


ASK_ACTIONS = {slot: _ask_action(slot) for slot in ASKED_SLOTS}

"""The one custom action of the bare baseline bot: a fixed reply and a slot, nothing else."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher


class ActionAnotarCertificado(Action):
    """Answers with a fixed response and records the request in a slot."""

    def name(self) -> str:
        return "action_anotar_certificado"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_certificado_anotado")
        return [SlotSet("tramite", "certificado_residencia")]

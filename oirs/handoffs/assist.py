"""Suggested replies for call-center agents: the best three of the FAQ answers, the staff's reply
templates and texts about the resident's own cases, each with its source.

It only proposes: nothing here sends, stores or calls anything; the agent picks, edits and sends.
Retrieval is lexical and offline (TF-IDF over word and character n-grams, or Okapi BM25), measured
against a held-out set by bench/assist.py; no model is downloaded at run time.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import snowballstemmer
import yaml
from oirs_rules.folio import find_folios
from oirs_rules.text import STOPWORDS as SHARED_STOPWORDS
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

Method = Literal["tfidf", "tfidf_word", "tfidf_char", "bm25"]
METHODS: tuple[Method, ...] = ("tfidf", "tfidf_word", "tfidf_char", "bm25")
MAX_SUGGESTIONS = 3
MIN_SCORE = 0.15  # below this a match is noise (gibberish scores ~0.05-0.08 on char n-grams)
OWN_CASE_BOOST = 0.15  # "mi reclamo", "cómo va", "lo que pedí": the resident speaks of a case

# What an agent may send about the resident's own case (filled from the case data).
CASE_REPLY = (
    "Su {type_label} con folio {folio} está en estado «{status_label}»{unit_part}. "
    "La fecha límite de respuesta es el {due_date}{days_part}."
)
CASE_UNIT = ", a cargo de {unit}"
CASE_TITLE = "Estado de su {type_label} {folio}"

# How residents ask about a case they filed; the case's own words (type, category) are added.
CASE_CUES = (
    "como va mi {type}",
    "estado de mi {type}",
    "que paso con mi {type} de {category}",
    "cuando me responden mi {type}",
    "en que esta mi {type} {category}",
    "ya respondieron mi {type}",
    "sigue abierto mi caso de {category}",
    "ya tienen respuesta de lo que ingrese",
    "folio {folio}",
)
OWN_CASE_RE = re.compile(
    r"\b(mi|mis) (reclamo|reclamos|solicitud|solicitudes|caso|casos|pedido|sugerencia|consulta|"
    r"tramite|requerimiento|folio)\b|\b(como|en que) (va|van|esta|estan|anda)\b|"
    r"\blo que (pedi|solicite|reclame|ingrese)\b"
)
NUMBER_RE = re.compile(r"\b0*(\d{1,6})\b")

# Chilean chat shorthand, and words so common they only add noise.
SHORTHAND = {
    "q": "que",
    "xq": "porque",
    "pq": "porque",
    "pa": "para",
    "muni": "municipalidad",
    "info": "informacion",
    "rsh": "registro social de hogares",
    "tb": "tambien",
}
# How residents name the things municipal texts name otherwise (one concept word for each group).
CONCEPTS = {
    "conceptoruido": "ruido ruidos ruidoso bulla musica fiesta fiestas carrete parlante "
    "escandalo volumen",
    "conceptoluminaria": "luminaria luminarias alumbrado foco focos ampolleta poste postes farol "
    "oscuro oscura oscurisimo apagada apagado",
    "conceptobache": "bache baches hoyo hoyos forado pavimento vereda veredas calzada",
    "conceptovoluminoso": "voluminoso voluminosos cachureo cachureos mueble muebles colchon "
    "sillon sofa refrigerador lavadora ropero cama somier",
    "conceptomascota": "mascota mascotas perro perros perrita perrito gato gatos gata gatito "
    "quiltro animal animales",
    "conceptoarbol": "arbol arboles rama ramas poda podar talar tala",
    "conceptosanitaria": "agua llave alcantarillado alcantarilla desague caneria medidor",
    "conceptotransporte": "micro micros bus buses colectivo colectivos paradero metro",
    "conceptovehiculo": "auto autos vehiculo vehiculos camioneta moto circulacion",
    "conceptosocial": "ficha subsidio subsidios beneficio beneficios bono bonos",
    "conceptoadjuntar": "foto fotos adjuntar adjunto agregar complementar falto olvide",
}
_CONCEPT_OF = {word: concept for concept, words in CONCEPTS.items() for word in words.split()}
# the shared stop words, and the words of asking a question
STOPWORDS = frozenset(SHARED_STOPWORDS | {
    "en", "gracias", "le", "les", "lo", "oiga", "pregunta", "saber", "se", "son", "su", "sus", "u",
})  # fmt: skip
_STEMMER = snowballstemmer.stemmer("spanish")


class Retriever(Protocol):
    """Turns texts into vectors whose dot product ranks documents for a query."""

    def fit(self, documents: Sequence[str]) -> None: ...
    def documents(self, texts: Sequence[str]) -> Any: ...
    def query(self, text: str) -> Any: ...


@dataclass(frozen=True)
class Suggestion:
    """One proposed reply: what it says and where it comes from, for the agent to choose."""

    source: Literal["faq", "template", "case"]
    key: str
    title: str
    text: str
    score: float


@dataclass(frozen=True)
class FaqEntry:
    key: str
    answer: str
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResidentCase:
    """A case of the resident as the agent sees it (GET /api/v1/residents/cases)."""

    folio: str
    type_label: str
    status_label: str
    due_date: date
    unit: str | None = None
    category_label: str | None = None
    business_days_left: int | None = None

    @classmethod
    def from_summary(cls, summary: Mapping[str, Any]) -> ResidentCase:
        """From a case summary of the API (GET /api/v1/residents/cases, status-lookup)."""
        days = summary.get("business_days_left")
        return cls(
            folio=str(summary["folio"]),
            type_label=str(summary.get("type_label") or summary.get("type") or "caso"),
            status_label=str(summary.get("status_label") or summary.get("status") or ""),
            due_date=date.fromisoformat(str(summary["due_date"])[:10]),
            unit=summary.get("unit") or None,
            category_label=summary.get("category_label") or summary.get("category") or None,
            business_days_left=int(days) if days is not None else None,
        )


# --- text ------------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Lower case, no accents, shorthand expanded, and a concept word added for each colloquial
    term, so "la bulla del carrete" meets a template about "ruidos molestos"."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = [SHORTHAND.get(w, w) for w in re.findall(r"[a-z0-9]+", text)]
    concepts = sorted({_CONCEPT_OF[w] for w in words if w in _CONCEPT_OF})
    return " ".join(words + concepts)


def word_tokens(text: str) -> list[str]:
    """Content words, stemmed (Snowball, Spanish) so "reclamé" meets "reclamos"."""
    return _STEMMER.stemWords([w for w in normalise(text).split() if w not in STOPWORDS])


def _sentences(text: str) -> list[str]:
    """A template's sentences as documents of their own: a short match should count in full."""
    return [p.strip() for p in re.split(r"(?<=[.;:])\s+", text) if len(p.split()) > 2]


def fill(text: str, values: Mapping[str, str]) -> str:
    """Fill {slot} placeholders of a Rasa response; unknown ones stay visible for the agent."""
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), text)


# --- retrievers ------------------------------------------------------------------------------


class TfidfRetriever:
    """Cosine over TF-IDF of word uni/bigrams and character 2-5-grams (typos, word forms)."""

    def __init__(self, word_weight: float = 0.4, use_word: bool = True, use_char: bool = True):
        self.word_weight = word_weight if use_word and use_char else float(use_word)
        self.word = TfidfVectorizer(analyzer=word_tokens, sublinear_tf=True, ngram_range=(1, 1))
        self.char = TfidfVectorizer(
            analyzer="char_wb",
            preprocessor=normalise,
            ngram_range=(2, 5),
            sublinear_tf=True,
            min_df=1,
        )
        self.use_word, self.use_char = use_word, use_char

    def fit(self, documents: Sequence[str]) -> None:
        if self.use_word:
            self.word.fit(documents)
        if self.use_char:
            self.char.fit(documents)

    def documents(self, texts: Sequence[str]) -> Any:
        parts = []
        if self.use_word:
            parts.append(self.word.transform(texts) * self.word_weight)
        if self.use_char:
            parts.append(self.char.transform(texts) * (1.0 - self.word_weight))
        return sparse.hstack(parts).tocsr()

    def query(self, text: str) -> Any:
        parts = []
        if self.use_word:
            parts.append(self.word.transform([text]))
        if self.use_char:
            parts.append(self.char.transform([text]))
        return sparse.hstack(parts).tocsr()


class Bm25Retriever:
    """Okapi BM25 over content words: term frequency saturates, long documents are damped."""

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.counts = CountVectorizer(analyzer=word_tokens)
        self.idf: np.ndarray = np.zeros(0)
        self.average_length = 1.0

    def fit(self, documents: Sequence[str]) -> None:
        matrix = self.counts.fit_transform(documents)
        n = matrix.shape[0]
        df = np.bincount(matrix.indices, minlength=matrix.shape[1])
        self.idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
        self.average_length = float(matrix.sum(axis=1).mean()) or 1.0

    def documents(self, texts: Sequence[str]) -> Any:
        matrix = self.counts.transform(texts).tocsr().astype(float)
        lengths = np.asarray(matrix.sum(axis=1)).ravel()
        norm = self.k1 * (1 - self.b + self.b * lengths / self.average_length)
        rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
        tf = matrix.data
        matrix.data = tf * (self.k1 + 1) / (tf + norm[rows])
        return matrix

    def query(self, text: str) -> Any:
        present = (self.counts.transform([text]) > 0).astype(float)
        return present.multiply(self.idf).tocsr()


def make_retriever(method: Method) -> Retriever:
    if method == "bm25":
        return Bm25Retriever()
    if method == "tfidf_word":
        return TfidfRetriever(use_char=False)
    if method == "tfidf_char":
        return TfidfRetriever(use_word=False)
    return TfidfRetriever()


# --- the assistant ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reply:
    source: Literal["faq", "template", "case"]
    key: str
    title: str
    text: str


class ReplyAssistant:
    """Ranks the replies an agent could send to a resident's message; it never sends any."""

    def __init__(
        self,
        faqs: Sequence[FaqEntry],
        templates: Sequence[Mapping[str, Any]] = (),
        method: Method = "tfidf",
    ) -> None:
        self.replies: list[_Reply] = []
        texts: list[str] = []
        owners: list[int] = []
        for faq in faqs:
            self._add(
                _Reply("faq", f"faq/{faq.key}", faq.key, faq.answer),
                [faq.answer, *faq.examples],
                texts,
                owners,
            )
        for template in templates:
            reply = _Reply(
                "template",
                f"template/{template['code']}",
                str(template.get("name") or template["code"]),
                str(template["body"]),
            )
            self._add(reply, [reply.title, reply.text, *_sentences(reply.text)], texts, owners)
        self.retriever = make_retriever(method)
        self.retriever.fit(texts)
        self.matrix = self.retriever.documents(texts)
        self.owners = np.asarray(owners)

    def _add(self, reply: _Reply, docs: Iterable[str], texts: list[str], owners: list[int]) -> None:
        self.replies.append(reply)
        for doc in docs:
            texts.append(doc)
            owners.append(len(self.replies) - 1)

    def suggest(
        self,
        message: str,
        cases: Sequence[ResidentCase] = (),
        values: Mapping[str, str] | None = None,
        limit: int = MAX_SUGGESTIONS,
    ) -> list[Suggestion]:
        """Up to three replies for this message, best first, each with its source."""
        limit = max(0, min(limit, MAX_SUGGESTIONS))
        query = self.retriever.query(message)
        scores = np.asarray((self.matrix @ query.T).todense()).ravel()
        best = np.zeros(len(self.replies))
        np.maximum.at(best, self.owners, scores)
        ranked = [(float(best[i]), self.replies[i]) for i in range(len(self.replies))]
        ranked += self._case_scores(message, query, cases)
        ranked = [item for item in ranked if item[0] >= MIN_SCORE]
        ranked.sort(key=lambda item: item[0], reverse=True)
        return [self._suggestion(reply, score, values or {}) for score, reply in ranked[:limit]]

    def _case_scores(
        self, message: str, query: Any, cases: Sequence[ResidentCase]
    ) -> list[tuple[float, _Reply]]:
        if not cases:
            return []
        mentioned = _mentioned_folios(message, cases)
        docs: list[str] = []
        owners: list[int] = []
        for index, case in enumerate(cases):
            cues = _case_cues(case)
            docs += cues
            owners += [index] * len(cues)
        scores = np.asarray((self.retriever.documents(docs) @ query.T).todense()).ravel()
        best = np.zeros(len(cases))
        np.maximum.at(best, np.asarray(owners), scores)
        top = float(best.max()) if len(best) else 0.0
        boost = OWN_CASE_BOOST if OWN_CASE_RE.search(normalise(message)) else 0.0
        result = []
        for index, case in enumerate(cases):
            score = float(best[index]) + boost
            if case.folio in mentioned:
                score = max(score, top) + 1.0  # naming the folio beats everything else
            result.append((score, _case_reply(case)))
        return result

    @staticmethod
    def _suggestion(reply: _Reply, score: float, values: Mapping[str, str]) -> Suggestion:
        text = reply.text if reply.source == "case" else fill(reply.text, values)
        return Suggestion(reply.source, reply.key, reply.title, text, round(score, 4))


def _case_cues(case: ResidentCase) -> list[str]:
    prefix, year, number = case.folio.lower().split("-")
    folio = f"{prefix} {year} {int(number)} {case.folio}"
    category = case.category_label or ""
    return [cue.format(type=case.type_label, category=category, folio=folio) for cue in CASE_CUES]


def _mentioned_folios(message: str, cases: Sequence[ResidentCase]) -> set[str]:
    """Folios named in full or loosely ("rc 2026 123", "mi reclamo 123")."""
    text = normalise(message)
    named = set(find_folios(text))
    numbers = {int(n) for n in NUMBER_RE.findall(text) if len(n) < 4 or not n.startswith("20")}
    for case in cases:
        if int(case.folio.rsplit("-", 1)[1]) in numbers:
            named.add(case.folio)
    return named


def _case_reply(case: ResidentCase) -> _Reply:
    days = case.business_days_left
    days_part = f" (quedan {days} días hábiles)" if days is not None and days >= 0 else ""
    label = case.type_label[:1].lower() + case.type_label[1:]  # "Reclamo" mid-sentence
    text = CASE_REPLY.format(
        type_label=label,
        folio=case.folio,
        status_label=case.status_label,
        unit_part=CASE_UNIT.format(unit=case.unit) if case.unit else "",
        due_date=case.due_date.strftime("%d-%m-%Y"),
        days_part=days_part,
    )
    title = CASE_TITLE.format(type_label=label, folio=case.folio)
    return _Reply("case", f"case/{case.folio}", title, text)


# --- loading the FAQ -------------------------------------------------------------------------


def load_faq(responses: Path, examples: Path | None = None) -> list[FaqEntry]:
    """The FAQ answers (Rasa responses utter_faq/<key>) and, if given, their NLU examples.

    The caller names the files: the core does not know where the bot keeps them.
    """
    domain = yaml.safe_load(responses.read_text(encoding="utf-8")) or {}
    answers = {
        name.split("/", 1)[1]: str(variations[0]["text"]).strip()
        for name, variations in (domain.get("responses") or {}).items()
        if name.startswith("utter_faq/") and variations
    }
    questions: dict[str, list[str]] = {}
    if examples is not None and examples.exists():
        nlu = yaml.safe_load(examples.read_text(encoding="utf-8")) or {}
        for block in nlu.get("nlu") or []:
            intent = str(block.get("intent", ""))
            if intent.startswith("faq/"):
                lines = str(block.get("examples", "")).splitlines()
                questions[intent[4:]] = [ln.strip()[2:].strip() for ln in lines if ln.strip()]
    return [FaqEntry(key, answer, tuple(questions.get(key, ()))) for key, answer in answers.items()]

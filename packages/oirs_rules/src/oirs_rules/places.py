"""Places in the commune as residents name them, kept whole.

A place is what a municipal crew needs to find the problem: a street and number
("Almirante Latorre 820"), an intersection ("Vicuña Mackenna con calle 3", "Prat esquina
Serrano"), a neighbourhood unit ("villa Las Rosas, pasaje Ñuble 1022"), a landmark ("la plaza
del pasaje Los Lirios, población El Roble", "frente al consultorio"). The parser keeps the
resident's words (titles such as General or Almirante are part of the name) and only cuts what
is not the place: lead-ins ("queda en"), the story around it, contact data.

`parse_place` reads the answer to "where is it?"; `find_place` looks for a place inside a longer
message (the opening one), where it must be surer before proposing anything.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from oirs_rules.names import FIRST_NAMES
from oirs_rules.text import fold, spoken_numbers_to_digits

# Words that name a kind of place; alone (or with an article) they place nothing.
PLACE_KINDS = {
    "calle", "avenida", "av", "avda", "pasaje", "pje", "psje", "pasajito", "villa", "poblacion",
    "pobl", "pob", "condominio", "conjunto", "block", "blok", "torre", "depto", "dpto",
    "departamento", "sector", "parcela", "camino", "ruta", "km", "kilometro", "plaza", "plazita",
    "placita", "parque", "esquina", "cruce", "rotonda", "paradero", "barrio", "cerro", "loteo",
    "lote", "manzana", "mz", "sitio", "casa", "costanera", "carretera", "puente", "pasarela",
    "caleta",
    "bandejon", "platabanda", "canal", "estero", "cancha", "multicancha", "feria", "consultorio",
    "cesfam", "colegio", "escuela", "liceo", "jardin", "sede", "iglesia", "capilla", "estadio",
    "gimnasio", "supermercado", "almacen", "negocio", "botilleria", "farmacia",
    "municipalidad", "muni", "cementerio", "hospital", "posta", "comisaria", "reten", "biblioteca",
    "terminal", "estacion", "metro", "bomba", "servicentro", "copec", "mall", "unidad", "local",
    "galpon", "bodega", "club", "poste", "puerta", "porton", "costado", "interior", "edificio",
}  # fmt: skip
# Kinds that alone would still not tell a crew where to go ("en la calle", "en mi casa").
VAGUE_KINDS = {
    "calle", "avenida", "av", "pasaje", "pje", "psje", "pasajito", "villa", "poblacion", "sector",
    "esquina", "casa", "barrio", "plaza", "plazita", "placita", "block", "depto", "dpto",
    "departamento", "condominio", "vereda", "cuadra", "lugar", "comuna", "parque", "cerro",
    "lado", "frente", "costado", "interior", "puerta", "porton", "local", "sitio", "paradero",
    "ubicacion", "direccion", "aca", "aqui", "ahi", "parte", "partes", "lados", "todas",
    "municipalidad", "muni", "oficina", "municipal", "jardin", "cesfam",
    "consultorio", "biblioteca", "oirs",
}  # fmt: skip
# Inside a place: articles, prepositions of names ("plaza de armas"), numbering marks.
_GLUE = {"de", "d", "del", "la", "las", "los", "el", "y", "n", "nro", "num", "numero", "n°", "#",
         "con", "esquina", "entre", "a", "al", "lado", "frente", "altura", "llegando", "casi",
         "detras", "atras", "cerca", "afuera", "fuera", "enfrente", "costado", "final", "fondo",
         "interior", "pasado", "antes", "despues", "media", "cuadra", "cuadras", "una", "un",
         "dos", "tres", "en", "e", "por", "hacia", "junto", "don", "dona", "san", "santa",
         "sta", "sin", "numeracion"}  # fmt: skip
# Words that end a place: the story, the people, the time, the contact around it.
_STOP = {
    "hay", "habia", "hubo", "ahi", "alli", "aca", "aqui", "que", "q", "porque", "xq", "pq",
    "pero", "pues", "po", "pos", "cuando", "como", "donde", "mi", "mis", "tu", "tus", "su",
    "sus", "me", "te", "se", "nos", "les", "le", "lo", "ni", "ya", "muy", "mas", "tambien",
    "tb", "siempre", "nunca", "todos", "todo", "toda", "todas", "nadie", "algo", "alguien",
    "nada", "harto", "hartos", "harta", "hartas", "caleta", "mucho", "mucha", "muchos",
    "muchas", "tiene", "tienen", "tengo", "tenemos", "lleva", "llevan", "llevamos", "hace",
    "hacen", "hicieron", "desde", "hasta", "durante", "hoy", "ayer", "anoche", "manana",
    "noche", "noches", "tarde", "tardes", "dia", "dias", "semana", "semanas", "mes", "meses",
    "ano", "anos", "horas", "hora", "minutos", "es", "son", "era", "eran", "fue", "fueron",
    "sea", "esta", "estan", "estaba", "estaban", "estuvo", "queda", "quedo", "quedan", "pasa",
    "pasan", "paso", "vive", "vivo", "vivimos", "viven", "soy", "somos", "llamo", "nombre",
    "fono", "telefono", "celular", "cel", "whatsapp", "wsp", "correo", "mail", "email", "rut",
    "contacto", "porfa", "porfavor", "favor", "gracias", "saludos", "atte", "atentamente",
    "hola", "buenas", "buenos", "oiga", "disculpe", "senor", "senora", "vecino", "vecina",
    "vecinos", "vecinas", "gente", "personas", "ninos", "ninas", "cabros", "perros", "perro",
    "auto", "autos", "camion", "micro", "basura", "hoyo", "hoyos", "luz", "luces", "ruido",
    "reclamo", "sugerencia", "problema", "tema", "si", "o", "u", "para", "pa", "sin embargo",
    "entonces", "igual", "solo", "nomas", "cachai", "sabe", "sabes", "creo", "parece", "onda",
    "tipo", "osea", "eh", "ehh", "mmm", "bueno", "ok", "listo", "dale", "ese", "esa", "eso",
    "esos", "esas", "este", "estos", "estas", "aquel", "otro", "otra", "otros", "otras",
    "varios", "varias", "poco", "algunos", "algunas", "ningun", "ninguna", "cada", "sobre",
    "bajo", "segun", "mientras", "aunque", "sino", "tan", "tanto", "cual", "cuales", "quien",
    "quienes", "cuanto", "uds", "ustedes", "usted", "nosotros", "yo", "el cual", "por favor",
    "urgente", "peligro", "peligroso", "peligrosa", "roto", "rota", "rotos", "apagado",
    "apagada", "apagados", "tirado", "tirada", "botado", "botada", "lleno", "llena",
    "mando", "mande", "envio", "envie", "adjunto", "comparto", "dejo", "digo", "escribo",
    "recuerdo", "acuerdo", "ubicacion", "direccion", "foto", "fotos", "no",
    "despues", "antes", "luego", "trato", "funcionaria", "funcionario", "funcionarios",
    "atencion", "semaforo", "semaforos", "luminaria", "luminarias",
    "foco", "focos", "arbol", "arboles", "rama", "ramas", "alarma", "escombros", "bache",
    "baches", "parlante", "parlantes", "municipal", "municipales", "jaja", "jajaja", "partes",
    "parte", "super", "dejaron", "habilite", "publique", "mismo", "misma", "dije", "calzada",
    "limpieza", "labor", "manera", "trabajo", "cuotas", "especifico", "especifica", "exacto",
    "exacta", "determinado", "ninguno", "centro", "aki", "aka",
    # the story's verbs right after a place typed in lower case (blind round r6)
    "dejan", "tiran", "botan", "rompen", "ponen", "queman", "venden", "estacionan", "corren",
    "juegan", "roban", "reclamamos", "pedimos", "necesitamos", "queremos", "solicitamos",
    "reclama",
    # what a caller says next without a full stop (voice): "…villa el sol quiero reclamar"
    "quiero", "queria", "quisiera", "necesito", "necesitaba", "solicito", "vengo", "reclamar",
    "denunciar", "consultar", "avisar", "informar",
    # the story told while the place is asked: "llevo 2 meses…", "ya van varios autos"
    "llevo", "van", "va", "vamos",
}  # fmt: skip
# "…que puse en septiembre por el poste de…": a date starts no place ("10 de Julio" does)
_MONTHS_AND_DAYS = {
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
    "octubre", "noviembre", "diciembre", "lunes", "martes", "miercoles", "jueves", "viernes",
    "sabado", "domingo",
}  # fmt: skip
# institutions are where people work, not where a problem is: they start a place only with a
# name or a number ("consultorio Los Castaños", "colegio 123")
_INSTITUTIONS = {
    "municipalidad", "muni", "departamento", "oficina", "cesfam", "consultorio", "hospital",
    "posta", "comisaria", "biblioteca", "jardin", "colegio", "escuela", "liceo", "terminal",
    "oirs", "dideco", "dimao", "reten", "sede", "gimnasio", "estadio", "cementerio",
}  # fmt: skip
# A relation to a landmark, kept as part of the place: "frente al consultorio".
_RELATION = re.compile(
    r"^(?:(?:justo\s+|casi\s+)?(?:al\s+)?frente\s+(?:a|al|de|del)|enfrente\s+(?:a|al|de|del)|"
    r"en\s+frente\s+(?:a|al|de|del)|al\s+lad(?:o|ito)\s+(?:de|del)|a\s+un\s+costado\s+(?:de|del)|"
    r"al\s+costado\s+(?:de|del)|detras\s+(?:de|del)|atras\s+(?:de|del)|cerca\s+(?:de|del)|"
    r"afuera\s+(?:de|del)|fuera\s+(?:de|del)|a\s+la\s+altura\s+(?:de|del)|llegando\s+a|"
    r"al\s+llegar\s+a|camino\s+a|entre|a\s+(?:una|media|dos|tres|\d+)\s+cuadras?\s+(?:de|del)|"
    r"al\s+final\s+(?:de|del)|al\s+fondo\s+(?:de|del)|pasado\s+(?:el|la)|junto\s+a|esquina\s+"
    r"(?:de|con)|en\s+la\s+esquina\s+(?:de|con))\b"
)
# Lead-ins of an answer to "where?": "queda en", "es en la", "la dirección es".
_LEAD_IN = re.compile(
    r"^(?:(?:si|sí|ya|ok|bueno|oiga|mire|ehh?|mmm|ah|hola|buenas|buenas tardes|buenas noches|"
    r"buenos dias|buenos días|ya po|o sea|q tal|que tal|qué tal|a ver|fijese que|fíjese que|"
    r"fijate que|fíjate que)[\s,.:]+)*"
    r"(?:(?:la|mi)\s+(?:direccion|dirección|ubicacion|ubicación|dire)"
    r"(?:\s+del?\s+(?:problema|reclamo|caso|lugar))?\s+(?:es|seria|sería|:)\s*:?|"
    r"(?:el\s+)?(?:lugar|problema|hoyo|reclamo)\s+(?:es|esta|está|queda)\s+en|"
    r"(?:es|esta|está|queda|quedan|fue|seria|sería|ocurre|pasa|ubicado|ubicada|vivo|"
    r"estamos|estoy|se encuentra|se encuentran|se ubica|queda ubicado|queda ubicada)\s+"
    r"(?:en|por|x)|(?:en|por|x)|direccion\s*:|dirección\s*:|domicilio\s*:)\s+",
    re.IGNORECASE,
)
_TRAILING_FILLER = re.compile(
    r"(?:[\s,.;!]+(?:po|pos|nomas|nomás|gracias|porfa|porfis|porfavor|por favor|x\s?fa|"
    r"x\s?favor|plis|please|ya|oiga|eso|(?:x|por) si acaso|"
    r"eso es|eso seria|eso sería|no mas|no más))+[\s.!]*$|[\s,.;:!¡¿?]+$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Token:
    text: str  # as written
    key: str  # folded, without surrounding punctuation
    start: int
    end: int
    comma_after: bool  # a comma, semicolon or full stop right after it
    stop_after: bool  # a full stop, question or exclamation mark right after it


_ABBREVIATIONS = {
    "av", "avda", "pje", "psje", "pobl", "pob", "dpto", "depto", "sta", "sto", "gral", "cap",
    "alm", "pdte", "pte", "sr", "sra", "srta", "dr", "dra", "n", "nro", "num", "km", "mz", "st",
    "s", "sn", "gen", "tte", "cnel", "pbro", "prof", "esq",
}  # fmt: skip
_TOKEN_RE = re.compile(r"\d+,\d+|[^\s,;.!?¡¿()\"“”]+(?:\.(?=\s|$))?|[.,;!?(]")


# Written shorthand read as the word it stands for ("esq." is "esquina", "x" is "por").
_SAME_AS = {"esq": "esquina", "x": "por"}


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    raw = list(_TOKEN_RE.finditer(text))
    for index, match in enumerate(raw):
        word = match.group(0)
        if word in {",", ";", ".", "!", "?", "("}:
            continue
        following = raw[index + 1].group(0) if index + 1 < len(raw) else ""
        written = fold(word).strip(".:'")
        key = _SAME_AS.get(written, written)
        end = match.end()
        full_stop = following in {".", "!", "?", "("} or word.endswith(":")  # an aside, a list
        if word.endswith(".") and written not in _ABBREVIATIONS:
            end -= 1  # "123." ends a sentence; "av." is an abbreviation and keeps its dot
            full_stop = True
        tokens.append(
            _Token(
                text=word[: end - match.start()],
                key=key,
                start=match.start(),
                end=end,
                comma_after=following in {",", ";"},
                stop_after=full_stop,
            )
        )
    return tokens


def _is_number(key: str) -> bool:
    return bool(re.fullmatch(r"\d{1,5}[a-z]?|n°\d+|#\d+|\d+-\d+|\d{1,5}[a-z]?/\d+", key))


def _is_long_number(key: str) -> bool:
    return bool(re.fullmatch(r"[\d.\-+]{7,}k?", key))


_NAME_PREFIXES = {"lo", "la", "las", "los", "el", "del", "san", "santa"}
# conjugated verbs typed in lower case end a place ("la plaza del pasaje los lirios persiguen")
_VERB_ENDING = re.compile(r"(?:guen|aron|ieron|aban|ando|iendo|ian|eron)$")


def _is_name_word(token: _Token, cased: bool) -> bool:
    """A word that can be part of a street or landmark name."""
    if token.text[:1].isupper() and token.key in _NAME_PREFIXES:
        return True  # "Lo Ovalle", "La Florida"
    if token.key in _STOP or _is_long_number(token.key) or "@" in token.key:
        return False
    if not cased and len(token.key) >= 6 and _VERB_ENDING.search(token.key):
        return False
    if len(token.text) > 3 and token.text[-1] in "óÓ" and token.text[:1].islower():
        return False  # "abrió", "cayó": the story goes on
    if not re.search(r"[a-z0-9ñ]", token.key):
        return False
    if cased and len(token.text) >= 2 and token.text.isupper() and token.text.isalpha():
        return False  # "por LED en Quilín 4001": an acronym in mixed-case text names no street
    if cased and token.text[:1].islower() and token.key not in PLACE_KINDS | _GLUE:
        # typed with capitals: a lower-case common word ends the name ("Prat donde hay…")
        return len(token.key) <= 3 and token.key.isdigit()
    return True


def _mixed_case(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    upper = sum(1 for c in letters if c.isupper())
    return 0 < upper < len(letters) * 0.6 and any(
        w[:1].isupper() for w in text.split()[1:] if w[:1].isalpha()
    )


def _span_from(tokens: list[_Token], start: int, cased: bool) -> int:
    """Index one past the last token of the place starting at `start`."""
    end = start
    index = start
    while index < len(tokens):
        token = tokens[index]
        rest = " ".join(t.key for t in tokens[index:])
        relation = _RELATION.match(rest)
        if relation and index > start:
            # "… frente al consultorio": keep the relation when a landmark follows it
            consumed = len(relation.group(0).split())
            after = index + consumed
            if after < len(tokens) and _is_name_word(tokens[after], cased=False):
                index = after
                continue
            break
        if token.key in {"y", "e"}:
            # "esquina de X y Y", "entre X y Y": a second street; otherwise the story goes on
            before = " ".join(t.key for t in tokens[start:index])
            if re.search(r"\b(?:esquina|entre|cruce)\b", before) and index + 1 < len(tokens):
                index += 1
                continue
            if _name_with_y(tokens, index, cased):
                index += 1  # "av. Concha y Toro 2650", "Maipú y Bandera, ahí…"
                continue
            break
        if token.key in {"con"}:
            # "X con Y" is an intersection only when a street follows
            nxt = tokens[index + 1] if index + 1 < len(tokens) else None
            two = tokens[index + 2] if index + 2 < len(tokens) else None
            prefixed = (
                nxt is not None
                and nxt.key in _NAME_PREFIXES
                and two is not None
                and _is_name_word(two, cased)
            )  # "gran avenida con lo ovalle"
            if nxt is None or not (_is_name_word(nxt, cased) or prefixed):
                break
            if nxt.key in _NOT_STREETS or (two is not None and two.key in _NOT_STREETS):
                break  # "en la plaza con el viento de anoche": what came with it
            if nxt.key in _GLUE - PLACE_KINDS and not (two and _is_name_word(two, cased)):
                break  # "con la" + nothing that names a street: the story ("con mis hijos")
            if nxt.key in {"la", "el", "los", "las"} and two and two.key in _STOP:
                break
            index += 2 if prefixed and not _is_name_word(nxt, cased) else 1
            continue
        if token.key == "a" and index > start and tokens[index - 1].key in _BEFORE_A:
            index += 1  # "camino a Lonquén", "llegando a Grecia"
            continue
        if token.key in {"a", "al", "en", "por", "hacia"} and index > start:
            nxt = tokens[index + 1] if index + 1 < len(tokens) else None
            if token.key == "al" and nxt is not None and _is_number(nxt.key):
                index += 1  # "Avenida Vicuña Mackenna al 7200": the block of the avenue
                continue
            if (
                token.key == "en"
                and nxt
                and nxt.text[:1].isupper()
                and nxt.key not in _STOP
                and not token.text[:1].isupper()
            ):
                index += 1  # "la feria de los domingos en Recreo"
                continue
            if not (nxt and (nxt.key in PLACE_KINDS or nxt.key in {"la", "el"})):
                break
            two = tokens[index + 2] if index + 2 < len(tokens) else None
            if nxt.key in {"la", "el"} and not (two and two.key in PLACE_KINDS):
                break
            index += 1
            continue
        if (
            token.key == "lo"
            and index > start
            and tokens[index - 1].key in PLACE_KINDS
            and index + 1 < len(tokens)
            and _is_name_word(tokens[index + 1], cased)
            and tokens[index + 1].key not in _GLUE
        ):
            index += 1  # "camino lo espejo", "avenida lo ovalle" typed in lower case
            continue
        if not _is_name_word(token, cased) and not _is_number(token.key):
            break
        previous = tokens[index - 1] if index > start else None
        if (
            previous is not None
            and _is_number(previous.key)
            and not _is_number(token.key)
            and token.key not in PLACE_KINDS | _GLUE | _DIRECTIONS
            and len(token.key) > 1
        ):
            break  # "Carrascal 4410 empiezan…": after the number the story goes on
        if (
            previous is not None
            and _is_number(previous.key)
            and token.key in {"la", "el", "los", "las"}
            and not (index + 1 < len(tokens) and tokens[index + 1].key in PLACE_KINDS)
        ):
            break  # "av. la montaña 1455 los guardias dicen…"
        if (
            token.key in {"el", "la", "los", "las"}
            and previous is not None
            and previous.key not in _GLUE | PLACE_KINDS
            and not _is_number(previous.key)
            and not (
                cased and tokens[index + 1 : index + 2] and tokens[index + 1].text[:1].isupper()
            )
            and not (index + 1 < len(tokens) and tokens[index + 1].key in PLACE_KINDS)
            and any(t.key in _LOCALITIES or _is_number(t.key) for t in tokens[start:index])
        ):
            break  # "los acacios 2540 villa las flores el chofer…": the name ended
        if token.key in _GLUE and token.key not in PLACE_KINDS and index > start:
            index += 1
            continue
        end = index + 1
        if token.stop_after:
            break
        if token.comma_after:
            nxt = tokens[index + 1] if index + 1 < len(tokens) else None
            if not nxt or not _continues_after_comma(tokens, index + 1, cased):
                break
        index += 1
    return end


_BEFORE_A = {"camino", "llegando", "frente", "cerca", "junto", "subiendo", "bajando", "salida"}
# "2 Poniente", "5 norte": a street named by its number and direction
_DIRECTIONS = {"norte", "sur", "oriente", "poniente"}


def _name_with_y(tokens: list[_Token], index: int, cased: bool) -> bool:
    """ "y" inside a street's name or between two streets: a name follows it and then a house
    number ("Concha y Toro 2650", in any case), or, typed with capitals, a capitalised name
    that ends the place ("Maipú y Bandera, …")."""
    j = index + 1
    while j < len(tokens) and tokens[j].key in _NAME_PREFIXES | {"don", "dona", "sta"}:
        j += 1
    if j >= len(tokens) or tokens[j].key in _STOP | _GLUE or not _is_name_word(tokens[j], cased):
        return False
    if cased and not tokens[j].text[:1].isupper():
        return False
    k = j + 1
    while (
        k < len(tokens)
        and k - j < 3
        and not (tokens[k - 1].comma_after or tokens[k - 1].stop_after)
        and tokens[k].key not in _STOP | _GLUE
        and _is_name_word(tokens[k], cased)
        and (not cased or tokens[k].text[:1].isupper())
    ):
        k += 1
    if k < len(tokens) and _is_number(tokens[k].key) and not tokens[k - 1].comma_after:
        return True
    return cased and (k >= len(tokens) or tokens[k - 1].comma_after or tokens[k - 1].stop_after)


def _continues_after_comma(tokens: list[_Token], index: int, cased: bool) -> bool:
    """After a comma the place goes on with another unit ("villa X, pasaje Y 1022") or a
    relation to a landmark ("Los Olivos 1340, frente al almacén")."""
    token = tokens[index]
    rest = " ".join(t.key for t in tokens[index:])
    if _RELATION.match(rest):
        return True
    if token.key in PLACE_KINDS and token.key not in {"casa", "poste", "puerta", "local"}:
        return True
    if token.key in {"la", "el", "los", "las"} and index + 1 < len(tokens):
        if tokens[index + 1].key in PLACE_KINDS:
            return True
        if cased or tokens[index + 1].key in _STOP:
            return False
    if token.key in {"casa", "depto", "dpto", "block"} and index + 1 < len(tokens):
        return _is_number(tokens[index + 1].key)
    if cased:
        return bool(token.text[:1].isupper() and _number_follows(tokens, index))
    # in lower case: a landmark, then its street and number ("frente al almacén don lucho,
    # los quillayes 560"), when no number came before
    numbered_before = any(_is_number(t.key) for t in tokens[max(0, index - 8) : index])
    words = tokens[index : index + 4]
    numbers = [i for i in range(index, index + len(words)) if _is_number(tokens[i].key)]
    return (
        not numbered_before
        and not _is_number(token.key)
        and _is_name_word(token, cased=False)
        and _number_follows(tokens, index)
        and not any(_counts_number(tokens, i) for i in numbers)
        # a house number, not a phone in groups ("9 6543 2108")
        and not (
            numbers and numbers[0] + 1 < len(tokens) and _is_number(tokens[numbers[0] + 1].key)
        )
    )


def _counts_number(tokens: list[_Token], index: int) -> bool:
    """A number that counts something ("3 veces", "2 semanas"), not a house's."""
    after = tokens[index + 1].key if index + 1 < len(tokens) else ""
    return _is_number(tokens[index].key) and after in _COUNTED


def _number_follows(tokens: list[_Token], index: int) -> bool:
    for token in tokens[index : index + 4]:
        if _is_number(token.key):
            return True
        if token.key in _STOP:
            return False
    return False


def _trim(tokens: list[_Token], start: int, end: int) -> tuple[int, int]:
    """Drop connectors left hanging at either end ("Prat con", "de la")."""
    while end > start and tokens[end - 1].key in _GLUE - PLACE_KINDS:
        end -= 1
    while start < end and tokens[start].key in {"con", "y", "a", "al", "en", "por", "de"}:
        if _RELATION.match(" ".join(t.key for t in tokens[start:end])):
            break  # "al lado de la sede", "a la altura del 300"
        start += 1
    return start, end


def _substantive(tokens: list[_Token]) -> bool:
    """Whether the words name somewhere: a number, a name, a landmark; not only "la calle"."""
    keys = [t.key for t in tokens]
    if any(_is_number(k) for k in keys):
        return True
    named = [k for k in keys if k not in _GLUE and k not in VAGUE_KINDS and k not in _STOP]
    named = [k for k in named if k not in {"mi", "su", "nuestra", "nuestro", "mismo", "misma"}]
    return bool(named)


def _render(text: str, tokens: list[_Token], start: int, end: int) -> str:
    if (
        end - start > 1
        and tokens[start].key in {"el", "la", "los", "las"}
        and (tokens[start + 1].key in PLACE_KINDS | {"gran"} or tokens[start + 1].key[:1].isdigit())
        and not (tokens[start].text[:1].isupper() and tokens[start + 1].text[:1].isupper())
    ):  # "La Capilla 1190" is the street's name
        start += 1  # "la villa Los Presidentes", "la 21 de mayo": the article says nothing
    value = text[tokens[start].start : tokens[end - 1].end]
    value = re.sub(r"\s+", " ", value).strip(" ,;:")
    return value


_SMALL_NUMBERS = {
    "uno": "1", "una": "1", "dos": "2", "tres": "3", "cuatro": "4", "cinco": "5", "seis": "6",
    "siete": "7", "ocho": "8", "nueve": "9", "diez": "10", "once": "11", "doce": "12",
    "trece": "13", "catorce": "14", "quince": "15", "dieciseis": "16", "diecisiete": "17",
    "dieciocho": "18", "diecinueve": "19", "veinte": "20",
}  # fmt: skip
_NUMBERED_KIND = re.compile(
    r"\b(calle|pasaje|pje|psje|casa|block|depto|dpto|departamento|km|kilometro|kilómetro|"
    r"sitio|lote|parcela|torre|n°|numero|número)\s+(" + "|".join(_SMALL_NUMBERS) + r")\b",
    re.IGNORECASE,
)


# what may follow a house number said in parts: the end, a comma, a landmark or a crossing
_HOUSE_NUMBER_ENDS = r"(?=\s*(?:[,.;]|$|al\b|frente\b|en\b|con\b))"


def _place_numbers(text: str) -> str:
    """Numbers said as words become digits ("pasaje tres" -> "pasaje 3", "mil doscientos")."""
    # "uno sur", "uno oriente": the streets of a grid named by number and direction (Talca)
    text = re.sub(
        r"(?i)\b(uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|trece|catorce|"
        r"quince)(?=\s+(?:norte|sur|oriente|poniente)\b)",
        lambda m: _SMALL_NUMBERS[fold(m.group(1))],
        text,
    )
    value = spoken_numbers_to_digits(text)
    # digits said one by one: "uno cuatro cinco seis" -> "1 4 5 6" -> "1456"
    value = re.sub(
        r"(?<![\d.,])\b\d(?: \d{1,2}){2,}\b(?![.,]?\d)",
        lambda m: m.group(0).replace(" ", ""),
        value,
    )
    # "tres cero cinco" -> "3 05" -> "305": digits said one by one, a zero in the middle
    value = re.sub(
        r"(?<=[^\W\d_]) ([1-9]) (0\d)" + _HOUSE_NUMBER_ENDS,
        lambda m: f" {m.group(1)}{m.group(2)}",
        value,
    )
    # a house number said in two parts: "cinco cincuenta" -> "5 50" -> "550"
    value = re.sub(
        r"(?<=[^\W\d_]) ([1-9]\d?) ([1-9]\d)" + _HOUSE_NUMBER_ENDS,
        lambda m: f" {int(m.group(1)) * 100 + int(m.group(2))}",
        value,
    )
    return _NUMBERED_KIND.sub(lambda m: f"{m.group(1)} {_SMALL_NUMBERS[fold(m.group(2))]}", value)


# "el hoyito está en …", "El poste está en …": the thing, then where it is
_THING_IS_AT = re.compile(
    r"^(?:el|la|los|las)\s+(?P<thing>[a-zñ]+(?:\s+[a-zñ]+)?)\s+"
    r"(?:esta|estan|queda|quedan|se encuentra|se encuentran|es|son|vive|viven|trabaja|"
    r"trabajan)(?:\s+(?:suelto|suelta|sueltos|sueltas|tirado|tirada|botado|botada|parado|"
    r"parada|abandonado|abandonada))?\s+(?:en|por|x)\s+"
)


def _clean_answer(text: str) -> str:
    value = _place_numbers(text.strip())
    # a caller's fillers inside the answer ("… con calle maipu eh frente a la bomba")
    value = re.sub(r"(?i)(?<=\s)(?:eh+|mmm+)\b[\s,]*", "", value)
    # "mire la obra está en …": the filler before the thing told where it is
    value = re.sub(
        r"(?i)^(?:(?:mire|oiga|bueno|ya|si|sí|eh+|ah)[\s,]+)+(?=(?:el|la|los|las)\s)", "", value
    )
    for _ in range(3):
        folded = fold(value)  # folding keeps every character's position
        match = _LEAD_IN.match(folded)
        thing = _THING_IS_AT.match(folded)
        if thing and not set(thing.group("thing").split()) & _NAMING_KINDS:
            value = value[thing.end() :]
            continue
        if not match or not match.group(0):
            break
        value = value[match.end() :]
    return _TRAILING_FILLER.sub("", value).strip()


# Words that, after the place has begun, start the story again: the answer's place ends there.
_STORY = {
    "hay", "ahi", "alli", "ya", "porque", "pq", "xq", "pero", "hace", "lleva", "llevan",
    "llevamos", "desde", "y", "e", "gracias", "porfa", "saludos", "atte", "urgente", "nadie",
    "siempre", "todos", "mi", "me", "nos", "les", "se", "no", "tengo", "tenemos", "necesito",
    "quiero", "ojala", "es", "son", "fue", "estan", "estaba", "eso", "hoy", "ayer", "anoche",
    "fono", "telefono", "celular", "cel", "whatsapp", "wsp", "correo", "mail", "email", "rut",
    "contacto", "favor", "po", "pos", "nomas", "cachai", "oiga", "jaja", "jajaja", "nosotros",
    "vivimos", "vivo", "yo", "xfa", "xfavor", "porfavor",
}  # fmt: skip
_SYMBOLS = re.compile(r"[^\w\s.,;:°º#/\-'’()&]")


def parse_place(text: str) -> str | None:
    """The place in the answer to "where is it?", whole; None when it names nowhere.

    The whole answer is the candidate (a landmark clause such as "…, donde está la botillería"
    or a commune after a comma is part of it); only lead-ins, contact data and the story that
    starts again after the place ("…, ahí está el hoyo", "y ya van tres autos…") are cut.
    "en la calle", "afuera de mi casa", "en mi pasaje" name nowhere (None).
    """
    text = _NUMBER_CORRECTED.sub(r"\g<fixed>", text or "")  # "serrano 560, no, 650"
    contrast = _BUT_THE_PROBLEM.search(text)
    if contrast and text[contrast.end() :].strip():
        text = text[contrast.end() :]  # where the problem is, not where the resident lives
    # "en mi casa, psje …", "mi casa es Los Maitenes 611", "mi casa queda en …"
    text = re.sub(
        r"(?i)^\s*(?:en\s+)?mi\s+(?:casa|domicilio)\s*(?:,|es\s+en|es|queda\s+en|esta\s+en)\s*",
        "",
        text,
    )
    text = _NUMBER_DENIED.sub("", text)  # "Los Olmos 345, no 354"
    corrected = _CORRECTION.split(text)
    if len(corrected) > 1 and corrected[-1].strip():
        first = parse_place(corrected[0]) if corrected[0].strip() else None
        fixed = parse_place(corrected[-1])  # "Los Jesuitas 1320, no, perdón, es … 1230"
        if first and fixed and _only_a_number(fixed):
            return with_number(
                first, fixed
            )  # "…123, no, perdón, 132", "…casa 23, no perdón casa 32"
        if fixed and (first or not corrected[0].strip()):
            return fixed  # also "Perdón, es en Los Pinos 45"
    # a phone in groups told with the place is no house number ("numero 56 9 7345 1209")
    text = _PHONE_GROUPS.sub(lambda m: " " * len(m.group(0)), text or "")
    value = _clean_answer(_SYMBOLS.sub(" ", _aside(text or "")))
    if not value or (_DOES_NOT_KNOW.search(fold(value)) and not re.search(r"\d", value)):
        return None  # "no sé la dirección exacta": ask again, nothing to keep
    tokens = _tokens(value)
    start = 0
    while start < len(tokens) and (
        tokens[start].key in _STOP - {"esta", "este"} or tokens[start].key in _OPENING_FILLERS
    ):
        if tokens[start].key in _NAME_PREFIXES and (
            tokens[start].text[:1].isupper() or _street_follows(tokens, start)
        ):
            break  # "Lo Espejo con Clotario Blest", "lo blanco 1420"
        start += 1  # "ahí en la esquina de…": a word of the story before the place
    if start < len(tokens) and tokens[start].key == "en":
        start += 1
    if start >= len(tokens):
        return None
    end = start
    clause = False  # inside a landmark clause ("ahí donde estaba la antigua sede")
    for index in range(start, len(tokens)):
        token = tokens[index]
        if _is_long_number(token.key) or "@" in token.key:
            break
        if index > start and token.key in _STORY and not clause:
            if not _story_word_kept(tokens, start, index):
                break
            clause = token.key in {"ahi", "es"}
        elif index > start and not clause and not _goes_on_after_number(tokens, index):
            break  # "Los Pinos 1533 xfa vengan luego", "Matta 1540. El semáforo…"
        end = index + 1
        if token.comma_after or token.stop_after:
            clause = False
    start, end = _trim(tokens, start, end)
    if end > start:
        start = _without_objects(tokens, start, end)
    if end <= start or not _substantive(tokens[start:end]):
        return find_place(value)
    cased = _mixed_case(value)
    if _counts_something(tokens, start, end) and not any(
        t.key in PLACE_KINDS for t in tokens[start:end]
    ):
        return None  # "llevo 2 meses reclamando": the number counts time, it places nothing
    if not _names_a_place(tokens[start:end], cased) and _story_around(tokens, start, end):
        return None  # "en pleno verano y nadie avisa nada", "nadie lo saca": the story goes on
    if not _signals_place(tokens[start:end], _mixed_case(value)):
        return find_place(value)  # a sentence about the problem, not a place
    if not _names_a_place(tokens[start:end], _mixed_case(value)) and _tells_a_story(tokens):
        # the rest of the story sent while the place was asked ("ya no caben más bolsas y los
        # perros las rompen", "EL DUEÑO NO HACE NADA"): nothing in it says where
        return None
    if _verb_inside(tokens[start:end]):
        # "operaron a mis 2 gatitas", "preciosa la plaza de la villa X plantaron árboles": the
        # story sent while the place was asked; only a place told inside it is the place
        return find_place(value)
    return _render(value, tokens, start, end)


# titles that begin a street's name ("capitan prat", "general velasquez")
_STREET_TITLES = {
    "capitan", "sargento", "teniente", "general", "coronel", "almirante", "presidente",
    "doctor", "obispo", "padre", "comandante", "cardenal", "profesor", "pintor", "poeta",
}  # fmt: skip
_PAST_VERB = re.compile(r"(?:aron|ieron|eron|aban|ian)$")
_CLAUSE_WORDS = {"donde", "que", "q", "cuando", "como"}


def _verb_inside(span: list[_Token]) -> bool:
    """A verb of the story (past, imperfect or conditional, or one of the story's verbs) in lower
    case among the words read as the place, before any clause that describes a landmark ("…,
    donde está la botillería", "llegando a …"); names such as "Fernando" are no verbs."""
    numbered = any(_is_number(token.key) for token in span)
    shouting = all(not t.text[:1].islower() for t in span)  # "LA ESQUINA TRABAJA CON ESMERIL"
    for position, token in enumerate(span):
        if token.key in _CLAUSE_WORDS:
            return False
        lower = shouting or token.text[:1].islower()
        if (
            not numbered
            and lower
            and len(token.key) >= 5
            and token.key not in FIRST_NAMES | PLACE_KINDS | _GLUE | _STREET_TITLES
            and (
                (position == 0 and token.key.endswith(("an", "en")))
                or token.key.endswith(("arse", "erse", "irse"))
            )
        ):
            return True  # "trabajan con esmeril", "bajarse a la calle pa pasar con el coche"
        if (
            lower
            and token.key not in FIRST_NAMES
            and (
                token.key in _STORY_VERBS - {"es", "esta", "estan", "tiene", "tienen"}
                or _PAST_VERB.search(token.key)
            )
        ):
            return True
    return False


def _street_follows(tokens: list[_Token], index: int) -> bool:
    """ "lo espejo 1420", "lo blanco con el observatorio": an article that begins a street's
    name, since a number or a crossing street follows its name."""
    following = tokens[index + 1 : index + 5]
    if not following or not _is_name_word(following[0], cased=False):
        return False
    if following[0].key in _GLUE:
        return False
    for token in following[1:]:
        if _is_number(token.key) or token.key in {"con", "esquina"}:
            return True
        if not _is_name_word(token, cased=False) or token.comma_after:
            return False
    return False


# A house number corrected on the spot: "560, no, 650", "1220 no 1202", "45, no era el 54"
# ("345, no 354" says which it is not: the number before "no" stays)
_NUMBER_CORRECTED = re.compile(
    r"\b\d{1,5}[a-zA-Z]?\s*[,.]?\s*\bno+\b(?:\s*[,.]\s*(?:(?:es|era|perd[oó]n)\s*[,.]?\s*)?|"
    r"\s+(?:es|era|perd[oó]n)\s*[,.]?\s*)(?:el\s+)?(?P<fixed>\d{1,5}[a-zA-Z]?)\b"
)
_NUMBER_DENIED = re.compile(r"(?<=\d)\s*[,.]?\s*\bno+\s+(?:el\s+)?\d{1,5}[a-zA-Z]?\b[.!]?")


# words a caller starts an answer with ("mire es capitán ignacio carrera pinto 560")
_OPENING_FILLERS = {"mire", "oiga", "eh", "ehh", "mmm", "ah", "bueno", "ya", "ok", "si"}
# "yo vivo en Los Tilos 870 pero el problema es en Los Tilos 902": the second one is the place
_BUT_THE_PROBLEM = re.compile(
    r"(?i)\bpero\s+(?:el\s+(?:problema|reclamo|hoyo|poste|tema)|lo\s+que\s+reclamo|eso)\s+"
    r"(?:es|esta|está|queda|fue|ocurre|pasa)\s+(?:en\s+)?"
)


# A correction inside the answer: what follows it is the place ("…, no, perdón, es …").
_CORRECTION = re.compile(
    r"[,.;]?\s*\b(?:no+\s*[,.]?\s*)?(?:perd[oó]n|me equivoqu[eé]|mejor dicho|quise decir)\b"
    r"\s*[,:.]?\s*(?:es|era|en)?\b|(?<=\w)\s+no\s*,\s*(?:es|era)\s+(?=en\b)",
    re.IGNORECASE,
)
# Verbs of the story a resident goes on with; a place name is never one of these.
_STORY_VERBS = {
    "hay", "hace", "hacen", "es", "son", "fue", "tiene", "tienen", "esta", "estan", "pasa",
    "pasan", "dejan", "botan", "ladra", "ladran", "llora", "lloran", "rompen", "caben",
    "llamamos", "llamaron", "vienen", "viene", "vino", "sale", "salen", "entendi", "entiendo",
}  # fmt: skip


def _names_a_place(span: list[_Token], cased: bool) -> bool:
    """What makes a span a place by itself, whatever its length: a number, a kind of place, a
    relation to a landmark, an intersection, a capitalised name in mixed-case text."""
    keys = [t.key for t in span]
    if any(_is_number(k) for k in keys) or any(k in PLACE_KINDS for k in keys):
        return True
    if len(keys) >= 3 and any(k in {"con", "esquina", "entre"} for k in keys[1:-1]):
        return True
    if any(_RELATION.match(" ".join(keys[i:])) for i in range(len(keys))):
        return True
    return cased and any(t.text[:1].isupper() for t in span)


# words before an answer's place that say nothing of the story
_ANSWER_FILLERS = {
    "si", "ya", "ok", "bueno", "eh", "ehh", "mmm", "mire", "oiga", "hola", "buenas", "ah",
    "en", "por", "x", "es", "esta", "queda", "alla", "aca", "aqui", "ahi", "alli", "aki",
}  # fmt: skip


def _story_around(tokens: list[_Token], start: int, end: int) -> bool:
    """Words of the story before or after what was read as the place."""
    before = [t.key for t in tokens[:start] if t.key not in _ANSWER_FILLERS]
    after = [t.key for t in tokens[end:]]
    return any(k in _STOP or k in _STORY for k in before) or any(
        k in _STORY or k in _STORY_VERBS for k in after
    )


def _tells_a_story(tokens: list[_Token]) -> bool:
    """A conjugated verb anywhere in the answer ("caben", "hacen", "llamamos")."""
    return any(
        t.key in _STORY_VERBS
        or _VERB_ENDING.search(t.key)
        or (len(t.key) >= 6 and t.key.endswith(("amos", "imos")))
        for t in tokens
    )


def _signals_place(span: list[_Token], cased: bool) -> bool:
    """A number, a kind of place, a relation to a landmark, a capitalised name, an
    intersection or a short answer: "me emitieron mal el permiso de circulación" is none."""
    keys = [t.key for t in span]
    if len(keys) <= 4 or any(_is_number(k) for k in keys):
        return True
    if (
        len(keys) <= 8
        and any(k in {"con", "esquina"} for k in keys[1:-1])
        and not any(k in _STOP - _NAME_PREFIXES for k in keys)
    ):
        return True  # "obispo umaña con los tilos"
    if any(k in PLACE_KINDS for k in keys):
        return True
    if any(_RELATION.match(" ".join(keys[i:])) for i in range(len(keys))):
        return True
    return cased and any(t.text[:1].isupper() for t in span[1:])


_DOES_NOT_KNOW = re.compile(
    r"\b(?:no se|no sabria|no me acuerdo|no recuerdo|ni idea|no tengo idea|no cacho|no conozco|"
    r"donde siempre|(?:ustedes|ya) saben)\b"
)


def _aside(text: str) -> str:
    """An aside in brackets is dropped ("(la del pje 7)") unless it names a unit of the place:
    "Las Acacias 77 (villa Los Nogales)" keeps the villa."""

    def keep_or_drop(match: re.Match[str]) -> str:
        inner = match.group(1).strip()
        words = fold(inner).split()
        unit = words and words[0] in _LOCALITIES | {"block", "depto", "dpto"}
        landmark = _RELATION.match(" ".join(words))  # "(frente al Líder)"
        return f", {inner}" if unit or landmark else ""

    value = re.sub(r"\s*\(([^)]*)\)?", keep_or_drop, text)
    return value.split("(")[0]


# After a house number the story may start again: after a full stop only another unit or a
# relation goes on ("Los Olivos 1340. Villa El Bosque"); after a comma or a space, an article
# before a common noun ("…, el citófono no funciona") or a story word ends the place. Numbers
# inside names go on: "30 de octubre con Ranquil", "calle 5 norte 1245", "2do piso".
def _goes_on_after_number(tokens: list[_Token], index: int) -> bool:
    previous, token = tokens[index - 1], tokens[index]
    if not _is_number(previous.key) or _is_number(token.key) or len(token.key) <= 1:
        return True
    if previous.key == "24" and token.key == "horas":
        return True  # "frente al 24 horas": the corner shop
    rest = " ".join(t.key for t in tokens[index:])
    if (
        token.key in PLACE_KINDS | _DIRECTIONS
        or _RELATION.match(rest)
        or token.key in {"casi", "esq"}
    ):
        return True
    if previous.stop_after:
        return False
    nxt = tokens[index + 1] if index + 1 < len(tokens) else None
    if token.key in {"la", "el", "los", "las"}:
        # "…34, la del portón negro", "…480, el edificio amarillo": the house described
        return nxt is not None and (
            nxt.key in PLACE_KINDS | {"de", "del"} or nxt.text[:1].isupper()
        )
    return token.key not in _STOP or token.key in _GLUE


def _story_word_kept(tokens: list[_Token], start: int, index: int) -> bool:
    """ "y" inside a place: "esquina de Maipú y Chacabuco", "Concha y Toro 3450"; a landmark
    clause: "ahí donde estaba la sede", "es un pasaje interior con reja verde"."""
    following = tokens[index + 1].key if index + 1 < len(tokens) else ""
    after = tokens[index + 2].key if index + 2 < len(tokens) else ""
    if tokens[index].key == "ahi" and following == "donde":
        return True
    if (
        tokens[index].key == "es"
        and following in {"un", "una", "el", "la"}
        and (
            after in PLACE_KINDS
            or after in {"pasaje", "condominio", "edificio", "portón", "porton"}
        )
    ):
        return True
    if tokens[index].key not in {"y", "e"}:
        return False
    before = " ".join(t.key for t in tokens[start:index])
    if re.search(r"\b(?:esquina|entre|cruce|interseccion)\b", before):
        return True
    ahead = tokens[index + 1 : index + 5]
    if (
        ahead
        and tokens[start].text[:1].isupper()
        and ahead[0].text[:1].isupper()
        and ahead[0].key not in _STOP | _STORY
        and (ahead[0].comma_after or len(ahead) == 1)
    ):
        return True  # "Blanco y Cochrane, frente a la Plaza Sotomayor": two streets
    for offset, token in enumerate(ahead):
        if _is_number(token.key):
            return True
        if offset and _RELATION.match(" ".join(t.key for t in tokens[index + 1 + offset :])):
            # "la avenida concha y toro al frente del supermercado": a name, then a landmark
            return all(_is_name_word(t, cased=False) for t in ahead[:offset])
        if token.key in _STORY or token.key in _STOP or token.comma_after:
            return False
    # the answer ends with a name after "y": "por concha y toro", "Prat y Serrano"
    return (
        bool(ahead)
        and index + 1 + len(ahead) == len(tokens)
        and all(_is_name_word(token, cased=False) and not token.stop_after for token in ahead[:-1])
    )


_NO_PLACE = re.compile(
    r"\b(?:no (?:es|hay|tiene|aplica|corresponde)\b.*\b(?:lugar|direccion|sitio|parte)|no aplica|"
    r"ningun (?:lugar|sitio)|en ninguna parte|en todas partes|toda la comuna|en toda la comuna|"
    r"no es en (?:un|ningun) lugar|no tiene direccion|por telefono|fue por telefono|en linea)\b"
)


def says_no_place(text: str) -> bool:
    """The resident says the case has no place ("no es en un lugar específico", "toda la
    comuna", "fue por teléfono"): a clerk's treatment, a service in general."""
    return bool(_NO_PLACE.search(fold(text or "")))


_POSTAL_LEAD = re.compile(
    r"^.*(?:direccion postal|domicilio|(?:por )?(?:correo )?postal|notificaciones|notificarme|"
    r"(?:por|x)\s+carta(?:\s+a)?|(?:la|una)\s+carta(?:\s+a)?\s*:|"
    r"a (?:mi|la) casa|envie(?:n)?(?:la|lo|me)?\s+a|enviar(?:la|lo|me)?\s+a|"
    r"mandar(?:la|lo|me)?\s+a|"
    r"mande(?:n)?(?:la|lo|me)?\s+a|mand\w*\s+(?:la\s+)?carta\s+a|mi direccion(?: postal)? es|"
    r"la direccion es|direccion)"
    r"\s*[:,]?\s*(?:a\s+|en\s+)?",
)


def parse_postal_address(text: str) -> str | None:
    """A postal address for notifications (Ley 20.285): the place after "domicilio:",
    "por carta a", "mi dirección es", without the e-mail given beside it."""
    value = re.sub(r"[\w.%+\-]+\s?@\s?[\w\-]+(?:\.[\w\-]+)+", " ", text or "")
    value = re.sub(
        r"\b(?:y\s+)?(?:mi\s+|el\s+)?(?:correo|mail|email|e-mail)(?:\s+es)?\b", " ", value
    )
    folded = fold(value)
    lead = _POSTAL_LEAD.match(folded)
    if lead and lead.end() < len(value):
        value = value[lead.end() :]
    value = re.sub(r"^[\s,.;:]+", "", value)
    if _NO_POSTAL.search(folded):
        return None  # "prefiero no indicar mi domicilio", "no tengo dirección fija"
    if re.match(r"(?i)casilla\b", value):
        return _TRAILING_FILLER.sub("", value).strip() or None
    value = _place_numbers(value)
    place = parse_place(value)
    if place and place in value:
        # a letter needs the commune after the street: "…2450 casa 3, la florida"
        rest = _TRAILING_FILLER.sub("", value[value.index(place) + len(place) :])
        words = fold(rest).strip(" ,.;").split()
        if 0 < len(words) <= 4 and all(
            w in _NAME_PREFIXES or w in {"de", "region", "metropolitana"} or w not in _STOP | _STORY
            for w in words
        ):
            return place + rest.rstrip(" .;")
    return place


_NO_POSTAL = re.compile(
    r"\b(?:prefiero no|no (?:tengo|quiero|voy a) (?:dar |indicar |entregar )?(?:mi |una )?"
    r"(?:direccion|domicilio)|no tengo direccion|sin (?:direccion|domicilio)|no quiero dar)"
)


_PHONE_GROUPS = re.compile(r"(?<![\d.])(?:\+?56[\s.-]?)?\(?[29]\)?[\s.-]?\d{4}[\s.-]?\d{4}(?![\d])")


# Where a place starts inside a longer message.
_PLACE_CUE = re.compile(
    r"\b(?:en|por|de|frente|enfrente|al lado|detras|atras|cerca|afuera|esquina|altura|"
    r"ubicad[oa]|direccion|dire|llegando)\b"
)


def find_place(text: str) -> str | None:
    """A place named inside a longer message (the opening one), or None when unsure.

    Proposes only what looks like a place: a street with a number, an intersection, a
    neighbourhood unit or landmark with its name. Vague mentions ("en la calle") give None, so
    the form asks.
    """
    # an aside in brackets ("(la del pje 7)") is not where the place is told
    value = _place_numbers(re.sub(r"\([^)]*\)?", " ", text or ""))
    # a phone in groups is no house number: "Pedro Olivares 9 4455 6677" names nowhere
    value = _PHONE_GROUPS.sub(lambda m: " " * len(m.group(0)), value)
    tokens = _tokens(value)
    cased = _mixed_case(value)
    ranked: list[tuple[int, bool, bool, int, str]] = []
    # Capitals mark names where residents type them, but many type "los aromos 123" in lower
    # case beside a capitalised "Ana": both readings compete, the capitalised one wins ties.
    for reading in dict.fromkeys((cased, False)):
        for index in range(len(tokens)):
            for start in _candidate_starts(tokens, index, cased):
                end = _span_from(tokens, start, reading)
                if end <= start:
                    continue
                first, last = _trim(tokens, start, end)
                if last <= first:
                    continue
                first = _without_objects(tokens, first, last)
                if _counts_something(tokens, first, last):
                    continue
                score = _score(tokens[first:last])
                if score <= 0:
                    continue
                place = _render(value, tokens, first, last)
                numbered = any(_is_number(t.key) for t in tokens[first:last])
                ranked.append((score, numbered, reading, len(place), place))
    if not ranked or max(ranked)[0] < _SURE_ENOUGH:
        # "…colindante a mi domicilio (Los Olmos 845)": the address told in brackets
        for aside in re.findall(r"\(([^)]*\d[^)]*)\)", text or ""):
            told = parse_place(aside)
            if told and any(_is_number(t.key) for t in _tokens(told)):
                return told
        return None
    *_, best = max(ranked)
    best = re.sub(r",\s*(?:la\s+|el\s+)?\w+$", _drop_lone_kind, best)
    # "…1520 villa" cut before the villa's name (typed in lower case): the name comes below
    best = re.sub(r"(?<=\d)\s+(?:la\s+)?\w+$", _drop_lone_kind, best)
    words = best.split()
    while (
        len(words) > 2
        and words[-1][:1].islower()
        and re.search(r"^\w{4,}(?:ea|ean|an)$", fold(words[-1]))
        and fold(words[-1]) not in PLACE_KINDS
        and fold(words[-2]) not in _NAME_PREFIXES
        and not _is_number(fold(words[-2]))
    ):
        words.pop()  # "la plaza grande parpadea": the story's verb
    best = " ".join(words)
    unnamed = _UNNAMED_BEFORE_RELATION.match(fold(best))
    if unnamed and _RELATION.match(fold(best)[unnamed.end() :]):
        best = best[unnamed.end() :]  # "la calle frente al almacén…": the landmark says where
    # a neighbourhood named apart ("los aromos 123. Es en la villa el bosque") goes after it
    for *_, place in ranked:
        words = fold(place).split()
        if words and words[0] in {"la", "el"}:
            words = words[1:]
        if not words or words[0] not in _LOCALITIES or fold(place) in fold(best):
            continue
        if fold(best) in fold(place) or " ".join(words[:3]) in fold(best):
            continue
        named = [w for w in words[1:] if w not in _GLUE]
        if named:
            return f"{best}, {place.removeprefix('la ').removeprefix('el ')}"
    return best


_UNNAMED_BEFORE_RELATION = re.compile(
    r"(?:(?:la|el|en la|en el)\s+)?(?:calle|pasaje|vereda|cuadra)\s+"
)
_OBJECTS = {
    "poste", "foco", "semaforo", "luminaria", "arbol", "tapa", "hoyo", "bache", "grifo",
    "edificio", "obra", "vereda", "platabanda", "bandejon", "calzada", "pasto", "cable",
}  # fmt: skip
# Places that stand at streets: "la plaza de X con Y", "el paradero de X con Y", "el sitio
# eriazo de X 9080" is the streets (every blind round's writers since r9 keep only those, and
# the thing stays in the description); named by themselves ("Plaza Los Castaños", "plaza de
# armas", "paradero 14") they are places a crew finds.
# numbers that say which unit inside a building, not where the building is ("dpto 304")
_UNIT_MARKS = {"depto", "dpto", "departamento", "casa", "piso", "oficina", "of", "torre", "local"}
_PLACED_THINGS = {
    "plaza", "plazita", "placita", "paradero", "berma", "sitio", "multicancha", "cancha",
    "esquina", "cruce", "rotonda",
}  # fmt: skip


# kinds that name a street or a neighbourhood themselves ("avenida de los Incas 1234", "villa
# de los Héroes"): never the thing standing at the streets that follow them
_NAMING_KINDS = {
    "calle", "avenida", "av", "avda", "pasaje", "pje", "psje", "pasajito", "villa", "poblacion",
    "pobl", "pob", "condominio", "conjunto", "sector", "barrio", "camino", "ruta", "block", "blok",
    "torre", "depto", "dpto", "departamento", "km", "kilometro", "parcela", "lote", "manzana",
    "cerro", "loteo", "costanera", "carretera",
}  # fmt: skip


def _is_thing(token: _Token, following: _Token | None, introduced: bool) -> bool:
    """A common noun in lower case standing before "de"/"en" and streets: "el terreno baldío
    de …", "la iglesia de …", "la calle en avenida …". Outside the known objects it needs an
    article before it ("republica de israel 1220" is a street's name)."""
    if token.key in _OBJECTS | _PLACED_THINGS:
        return True
    if not introduced:
        return False
    if not token.text[:1].islower() or token.key in _STOP | _GLUE or _is_number(token.key):
        return False
    if token.key in _NAMING_KINDS:
        return following is not None and following.key == "en"  # "la calle en avenida …"
    return len(token.key) > 2 and not _RELATION.match(token.key)


def _without_object(tokens: list[_Token], first: int, last: int) -> int:
    """ "el poste de Las Palmeras 880", "edificio nuevo en Manuel Montt 1730": the numbered
    street, not the thing on it."""
    introduced = tokens[first].key in {"el", "la", "los", "las", "un", "una", "unos", "unas"}
    index = first + introduced
    if not introduced and first + 2 < last and tokens[first + 1].key in {"en", "de", "del"}:
        # "cebra en avenida central con …", "iglesia de Catedral 3410": a thing in lower case,
        # then streets named with capitals or by their kind
        after = tokens[first + 2]
        introduced = tokens[first].text[:1].islower() and (
            after.key in _NAMING_KINDS
            or after.text[:1].isupper()
            or (after.key in {"la", "el", "los", "las"} and tokens[first + 1].key == "de")
        )  # "ruidos de la iglesia de Catedral 3410": each thing before the streets
    following_token = tokens[index + 1] if index + 1 < last else None
    if index >= last or not _is_thing(tokens[index], following_token, introduced):
        return first
    index += 1
    if index < last and (
        tokens[index].key in _DESCRIPTIVE
        or (
            tokens[index].text[:1].islower()
            and tokens[index].key.endswith(("io", "ia", "ado", "ada"))
        )
    ):
        index += 1  # "el terreno baldío de …", "la sede vecinal de …"
    if (
        introduced
        and index + 2 < last
        and tokens[index].key == "de"
        and tokens[index + 1].text[:1].islower()
        and tokens[index + 1].key not in _GLUE | _STOP
        and tokens[index + 2].key in {"en", "de", "del"}
    ):
        index += 2  # "un paso de cebra en …", "el lomo de toro de …": the thing's own name
    following = [t.key for t in tokens[index + 1 : last]]
    numbered = any(_is_number(key) for key in following) or any(
        key in {"con", "esquina"} for key in following[1:-1]
    )  # a numbered street or an intersection
    named = [key for key in following if key not in {"la", "el", "los", "las"}]
    if named and named[0] in {"micro", "micros", "linea", "bus", "recorrido"}:
        return first  # "el paradero de la micro 210 en …": the number is the bus's
    if index < last - 1 and tokens[index].key in {"de", "d", "del", "en"} and numbered:
        return index + 1
    return first


def _without_objects(tokens: list[_Token], first: int, last: int) -> int:
    """ "el paradero de la esquina de X con Y": each thing before the streets."""
    while (after := _without_object(tokens, first, last)) != first:
        first = after
    return first


def _counts_something(tokens: list[_Token], first: int, last: int) -> bool:
    """The span's numbers count things or name years: "edificación 3 veces", "la comuna el
    2025" place nothing."""
    numbers = [i for i in range(first, last) if _is_number(tokens[i].key)]
    if not numbers:
        return False
    for i in numbers:
        after = tokens[i + 1].key if i + 1 < len(tokens) else ""
        before = tokens[i - 1].key if i > 0 else ""
        year = tokens[i].key.isdigit() and 1900 <= int(tokens[i].key) <= 2100
        if not (after in _COUNTED or (year and before in {"el", "de", "del", "en", "ano"})):
            return False
    return True


def _drop_lone_kind(match: re.Match[str]) -> str:
    """ "…, villa" cut before its name: the kind alone is dropped."""
    last = fold(match.group(0)).split()[-1]
    return "" if last in VAGUE_KINDS else match.group(0)


# documents and procedures numbered like houses: "decreto N° 2.345", "permiso … 3 veces"
_DOCUMENTS = {
    "decreto", "ordenanza", "resolucion", "oficio", "contrato", "licitacion", "folio", "reclamo",
    "caso", "permiso", "boleta", "factura", "patente", "expediente", "ley", "articulo", "sesion",
    "acta", "actas", "solicitud", "memo", "memorandum", "numero", "rc", "sg", "fl", "cs", "sai",
}  # fmt: skip
# what a number counts when it is not a house number ("3 veces", "el 2025", "20 perros")
_COUNTED = {
    "veces", "vez", "dias", "dia", "semanas", "semana", "meses", "mes", "anos", "ano", "horas",
    "hora", "minutos", "cuotas", "personas", "perros", "gatos", "autos", "vecinos", "ninos",
    "km/h", "kilos", "pesos", "lucas", "metros", "cuadras", "am", "pm", "hrs",
    "choques", "choque", "accidentes", "accidente", "robos", "asaltos", "motos", "ninas",
    "bolsas", "llamadas", "reclamos", "cartas", "correos", "arboles", "hoyos", "baches", "km",
}  # fmt: skip
_LOCALITIES = {
    "villa", "poblacion", "pobl", "condominio", "sector", "barrio", "conjunto", "caleta",
}  # fmt: skip


# a number, or a kind of place with its name: less than that, the form asks
_SURE_ENOUGH = 3


def _candidate_starts(tokens: list[_Token], index: int, cased: bool) -> list[int]:
    token = tokens[index]
    starts: list[int] = []
    nxt_token = tokens[index + 1] if index + 1 < len(tokens) else None
    capital_next = bool(nxt_token and nxt_token.text[:1].isupper() and nxt_token.key not in _STOP)
    if cased and token.key in {"de", "del", "d"} and capital_next:
        starts.append(index + 1)  # "la luz de Prat esquina Serrano"
    elif token.key in {"de", "del", "d"} and nxt_token and _number_follows(tokens, index + 1):
        starts.append(index + 1)  # "el vecino de los alerces 455"
    elif token.key in {"de", "del", "d"} and _intersection_follows(tokens, index + 1):
        starts.append(index + 1)  # "el semáforo de santa rosa con la serena"
    if cased and token.text[:1].isupper() and token.key not in _STOP | PLACE_KINDS:
        before = tokens[index - 1] if index else None
        if (before is None or before.comma_after or before.stop_after) and _number_follows(
            tokens, index
        ):
            starts.append(index)  # "…de un árbol, Los Maitenes 1675"
    if token.key in {"en", "por", "ubicado", "ubicada", "direccion", "dire", "calle"}:
        nxt = index + 1
        if token.key in {"ubicado", "ubicada"} and nxt < len(tokens) and tokens[nxt].key == "en":
            nxt += 1
        if nxt < len(tokens):
            starts.append(nxt)
    kind = token.key in PLACE_KINDS - {"casa", "poste", "puerta", "local", "costado", "interior"}
    possessed = index > 0 and tokens[index - 1].key in {
        "mi",
        "mis",
        "su",
        "tu",
        "nuestro",
        "nuestra",
    }
    if possessed and not _named_after(tokens, index):
        kind = False  # "por mi pasaje en Ñuñoa": the resident's own pasaje, which one is asked
    if kind and (token.key not in _INSTITUTIONS or _named_after(tokens, index)):
        starts.append(index)
        if index > 0 and tokens[index - 1].key in {"la", "el", "los", "las"}:
            starts.append(index - 1)
    rest = " ".join(t.key for t in tokens[index:])
    if _RELATION.match(rest) and token.key not in {"entre", "a", "al", "en"}:
        starts.append(index)
    return starts


# What comes "con" a place in a story and is never a street ("con el viento", "con basura").
_NOT_STREETS = {
    "viento", "lluvia", "temporal", "agua", "barro", "basura", "perro", "perros", "ruido",
    "gente", "nino", "ninos", "auto", "autos", "camion", "humo", "fuego", "calor", "frio",
    "ratones", "ratas", "escombros", "hoyos", "hoyo", "bolsas", "musica", "carabineros",
    "micros", "micro", "buses", "colectivos", "camiones", "motos", "bicicletas", "arboles",
    "ramas", "hojas", "luces", "vecinos", "jovenes", "cabros", "gatos", "baches",
}  # fmt: skip


def _intersection_follows(tokens: list[_Token], index: int) -> bool:
    """Two or three name words, "con" or "esquina", and a name word: an intersection."""
    for offset, token in enumerate(tokens[index : index + 5]):
        if token.key in {"con", "esquina"}:
            nxt = tokens[index + offset + 1] if index + offset + 1 < len(tokens) else None
            if offset == 0 or nxt is None or nxt.key in _STOP - _NAME_PREFIXES:
                return False
            after = [t.key for t in tokens[index + offset + 1 : index + offset + 3]]
            if any(key in _NOT_STREETS for key in after):
                return False  # "en la plaza con el viento de anoche": what came with it
            return nxt.key not in _GLUE or (
                index + offset + 2 < len(tokens)
                and tokens[index + offset + 2].key not in _STOP | _GLUE
            )
        if token.key in _STOP - _NAME_PREFIXES or token.stop_after or token.comma_after:
            return False
        if not re.fullmatch(r"[a-zñ]+", token.key):
            return False
    return False


def _named_after(tokens: list[_Token], index: int) -> bool:
    """An institution with its own name or number right after it ("consultorio Los Castaños")."""
    for token in tokens[index + 1 : index + 3]:
        if _is_number(token.key) or (token.text[:1].isupper() and token.key not in _STOP):
            return True
        if token.key not in {"de", "del", "la", "el", "los", "las", "n°", "nro"}:
            return False
    return False


_UNITS = {"departamento", "oficina", "direccion", "unidad", "seccion", "subdepartamento"}
# where a clerk serves inside an office: "la ventanilla 3" is not where a problem is
_COUNTERS = {"ventanilla", "caja", "modulo", "meson", "box", "mesa"}


def _score(span: list[_Token]) -> int:
    keys = [t.key for t in span]
    if not _substantive(span) or len(keys) > 16:
        return 0
    lo_street = keys[0] in _NAME_PREFIXES and (
        span[0].text[:1].isupper() or any(_is_number(k) for k in keys)
    )  # "Lo Blanco 2765", "lo valledor 455"
    if (keys[0] in _STOP and not lo_street) or all(k in _GLUE for k in keys):
        return 0
    if keys[0] in _MONTHS_AND_DAYS:
        return 0
    if keys[0] in _DOCUMENTS or (len(keys) > 1 and keys[1] in _DOCUMENTS and keys[0] in _GLUE):
        return 0  # "el decreto N° 2.345", "el reclamo 731": a document, not a place
    if all(_is_number(k) or k in _GLUE for k in keys):
        return 0  # "en 3 cuotas": a number alone places nothing
    if any(k in _DOCUMENTS - {"numero"} and _is_number(n) for k, n in itertools.pairwise(keys)):
        return 0  # "la Ley 20.285", "el decreto 1234": a document's number
    if _is_date(keys):
        return 0  # "del 14 de agosto de 2025"
    named = [k for k in keys if k not in _GLUE and k not in PLACE_KINDS and not _is_number(k)]
    if not named and not any(_is_number(k) for k in keys):
        return 0  # "la muni", "el consultorio": a kind of place without its name
    score = 1
    if any(_is_number(k) for k in keys):
        score += 3
    if any(k in PLACE_KINDS - {"casa"} for k in keys):
        score += 2
    if any(k in {"esquina", "entre"} for k in keys):
        score += 1
    if "con" in keys[1:-1] or "llegando" in keys[1:-1] or ("y" in keys[1:-1] and "esquina" in keys):
        score += 2  # an intersection names two streets
    if any(t.text[:1].isupper() for t in span):
        score += 1
    if any(
        k in PLACE_KINDS - _INSTITUTIONS and nxt not in _GLUE | PLACE_KINDS | _STOP
        for k, nxt in itertools.pairwise(keys)
    ) or any(
        k in PLACE_KINDS - _INSTITUTIONS
        and k2 in {"de", "del", "la", "los", "las", "el"}
        and nxt not in _GLUE | PLACE_KINDS | _STOP
        for k, k2, nxt in zip(keys, keys[1:], keys[2:], strict=False)
    ):
        score += 1  # a kind with its name: "av. la montaña", "villa Los Héroes"
    first_named = next((k for k in keys if k not in _GLUE), "")
    numbered = any(_is_number(k) for k in keys)
    if first_named in _COUNTERS:
        return 0
    if first_named in _UNITS and "de" in keys[:4] and not numbered:
        return 0  # "el Departamento de Tránsito": a municipal unit, not where the problem is
    unnamed = not any(t.text[:1].isupper() and t.key not in _GLUE for t in span[1:])
    if first_named in _INSTITUTIONS and not any(_is_number(k) for k in keys) and unnamed:
        return 0  # "el departamento de tránsito": an office, not where the problem is
    if len(keys) == 1 and not _is_number(keys[0]) and keys[0] not in PLACE_KINDS:
        # one unknown word after "en" ("en serio", "en Santiago"): too unsure to propose
        return 0 if not span[0].text[:1].isupper() else 1
    return score


def _is_date(keys: list[str]) -> bool:
    """ "14 de agosto", "14 de agosto de 2025": a day of a month, not "Avenida 10 de Julio 345"
    (another number follows) nor "10 de Julio con San Diego" told after a kind of place."""
    for index in range(len(keys) - 2):
        day, of, month = keys[index : index + 3]
        if not (day.isdigit() and int(day) <= 31 and of == "de" and month in _MONTHS_AND_DAYS):
            continue
        year = keys[index + 3 : index + 5]
        if len(year) == 2 and year[0] in {"de", "del"} and re.fullmatch(r"(?:19|20)\d\d", year[1]):
            return True
        others = [k for k in keys if _is_number(k) and k != day]
        if index == 0 and not others:
            return True
    return False


# words that describe a place without naming it
_DESCRIPTIVE = {
    "grande", "chica", "chico", "pequena", "pequeno", "nueva", "nuevo", "vieja", "viejo",
    "principal", "central", "comunal", "publica", "publico", "abandonada", "abandonado",
    "sucia", "sucio", "oscura", "oscuro", "entera", "completa", "eriazo", "eriaza", "tierra",
    "cerca", "cercana", "cercano", "techado", "techada",
}  # fmt: skip
_PRESENT_VERB = re.compile(r"^\w{4,}(?:ea|ean|an|en)$")


def is_precise(place: str | None) -> bool:
    """Whether a crew could find the place: a number, an intersection, or a kind of place with
    its own name ("villa Los Presidentes", "pasaje las camelias"); "la plaza grande", "la calle
    de tierra", "el entretecho del block" are not (the form asks where exactly)."""
    tokens = _tokens(place or "")
    keys = [t.key for t in tokens]
    if not keys:
        return False
    if "plaza de armas" in " ".join(keys):
        return True  # the commune's main square needs no street
    numbers = [i for i, k in enumerate(keys) if _is_number(k)]
    if numbers and not all(i > 0 and keys[i - 1] in _UNIT_MARKS for i in numbers):
        return True
    words = [k for k in keys if k not in _GLUE and k not in _UNIT_MARKS and not _is_number(k)]
    if numbers and len(words) >= 2:
        return True  # "depto 12 del edificio Los Álamos": the unit of a named building
    for index, key in enumerate(keys[1:-1], start=1):
        if key not in {"con", "esquina", "entre"} or keys[index - 1] in _GLUE:
            continue
        after = [t for t in tokens[index + 1 :] if t.key not in _NAME_PREFIXES]
        if after and _is_name_word(after[0], cased=False):
            return True
    shouting = (place or "").isupper()
    for index, key in enumerate(keys):
        if key not in PLACE_KINDS or key in _OBJECTS:
            continue
        named: list[_Token] = []
        for position, token in enumerate(tokens[index + 1 :], start=index + 1):
            if token.key in _GLUE - PLACE_KINDS or token.key in _DESCRIPTIVE:
                continue  # "pasaje las camelias del sol", "la plaza grande"
            if token.key in PLACE_KINDS or not _is_name_word(token, False):
                break
            after_article = keys[position - 1] in _NAME_PREFIXES  # "villa el carmen"
            if token.text[:1].islower() and _PRESENT_VERB.search(token.key) and not after_article:
                break  # "la plaza grande parpadea"
            named.append(token)
        capital = any(t.text[:1].isupper() for t in named) and not shouting
        # "villa los andes", "pasaje el roble", "villa san francisco": an article or a saint
        # right after the kind starts a proper name
        article = index + 1 < len(keys) and keys[index + 1] in _NAME_PREFIXES - {"del"}
        if capital or len(named) >= 2 or (named and article):
            return True
    return False


def mentions_a_place(text: str) -> bool:
    """Whether a message speaks of a place at all (a kind of place, a relation to a landmark):
    "frente a mi casa" tries to say where; "nadie lo saca" goes on with the story."""
    keys = [t.key for t in _tokens(text or "")]
    return any(k in PLACE_KINDS for k in keys) or any(
        _RELATION.match(" ".join(keys[i:])) for i in range(len(keys))
    )


# A place named without saying which ("en la villa", "frente al jardín infantil de mi calle",
# "las luminarias de la avenida"): the form asks where exactly.
_VAGUE_MENTION = re.compile(
    r"\b(?:(?:frente|cerca|al lado|a la salida|a la entrada)\s+(?:a|al|de|del)\s+"
    r"(?:la\s+|el\s+|los\s+|las\s+)?"
    r"|(?:en|de|por|a)\s+(?:la|el|mi|nuestra|nuestro|los|las|esta|este|al|del)\s+"
    r"|(?:del|al)\s+)"
    r"(?P<kind>[a-zñ]+)(?:\s+(?:infantil|municipal|de\s+(?:mi|la|el|nuestra|nuestro)\s+[a-zñ]+)){0,2}",
)
_MENTIONABLE = (PLACE_KINDS | {"cuadra", "vereda"}) - {
    "casa", "muni", "municipalidad", "unidad", "local", "puerta", "interior", "poste", "km",
    "kilometro", "lote", "sitio", "mz", "manzana", "canal", "club", "metro",
}  # fmt: skip


def vague_place(text: str) -> str | None:
    """The words that name a place without saying which one; None when there are none."""
    folded = fold(text or "")
    for match in _VAGUE_MENTION.finditer(folded):
        if match.group("kind") in _MENTIONABLE:
            start, end = match.span()
            phrase = (text or "")[start:end].strip(" ,.;")
            return re.sub(r"^(?:en|de|por|a|del|al)\s+", "", phrase, flags=re.IGNORECASE)
    return None


_CORRECTS = re.compile(
    r"(?i)\b(?:perd[oó]n|me equivoqu[eé]|corrijo|quise decir|mejor dicho)\b|^\s*no+\b"
)
_CORRECTION_LEAD = re.compile(
    r"(?i)^[\s,.:;]*(?:(?:de|el|la)\s+(?:n[uú]mero|direcci[oó]n|calle)[\s,.:;]*)?(?:es|era)?\b"
)


def corrected_place(text: str, current: str | None = None) -> str | None:
    """A precise place the resident corrects while something else is asked ("Perdón, me
    equivoqué de número: es Las Acacias 545"); None when the message corrects no place. A
    correction of the number alone ("perdón, es el 303", "Corrijo: el número es 504, no 540")
    is applied to the `current` place."""
    text = _NUMBER_DENIED.sub("", text or "")
    for match in _CORRECTS.finditer(text):
        rest = _CORRECTION_LEAD.sub("", text[match.end() :])
        place = parse_place(rest) if rest.strip() else None
        if place and current and _only_a_number(place):
            return with_number(current, place)
        if place and is_precise(place):
            return place
    return None


_ONLY_A_NUMBER = re.compile(
    r"(?i)^(?:(?:el|la)\s+)?(?:(?P<kind>casa|depto|dpto|departamento|block|n°|nro|numero|número|#)"
    r"\s*)?(?P<number>\d{1,5}[a-zA-Z]?)$"
)


def _only_a_number(place: str) -> bool:
    return bool(_ONLY_A_NUMBER.match(place.strip()))


def with_number(place: str, fixed: str) -> str:
    """The place with its number corrected: "General Freire 330" + "el 303" -> "General Freire
    303"; "pasaje 4 casa 23 villa esperanza" + "casa 32" -> "pasaje 4 casa 32 villa esperanza"."""
    match = _ONLY_A_NUMBER.match(fixed.strip())
    if not match:
        return fixed
    number, kind = match.group("number"), match.group("kind")
    if kind and fold(kind) not in {"n°", "nro", "numero", "#"}:
        pattern = rf"(?i)\b({re.escape(kind)}\s*)\d{{1,5}}[a-zA-Z]?\b"
        if re.search(pattern, place):
            return re.sub(pattern, lambda m: m.group(1) + number, place, count=1)
        return fixed
    last = list(re.finditer(r"\b\d{1,5}[a-zA-Z]?\b", place))
    if not last:
        return fixed
    spot = last[-1]
    return place[: spot.start()] + number + place[spot.end() :]

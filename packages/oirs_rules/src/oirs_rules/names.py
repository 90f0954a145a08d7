"""People's names as residents give them: whole, with both surnames, never a sentence.

`parse_name` reads the answer to "what is your name?": the whole answer is the candidate,
with lead-ins ("me llamo", "soy") and chatter after it ("vecino de la villa") cut. `find_name`
finds the resident's own name inside a longer message, only where they introduce themselves
("soy", "me llamo", "habla", "le escribe"): the neighbour or the official a message talks
about is not the resident.
"""

from __future__ import annotations

import re

from oirs_rules.text import fold

PARTICLES = {"de", "del", "la", "las", "los", "y", "da", "van", "von", "di"}
_TITLES = {
    "don", "dona", "sr", "sra", "srta", "senor", "senora", "senorita", "la", "el", "tia", "tio",
}  # fmt: skip
# Words a sentence or a description of oneself has and a Chilean name does not.
_NOT_NAME = {
    "no", "si", "quiero", "quisiera", "prefiero", "deseo", "puedo", "dar", "doy", "decir",
    "digo", "nombre", "contacto", "datos", "dato", "anonimo", "anonima", "anonimamente",
    "gracias", "porque", "para", "que", "por", "favor", "necesito", "tengo", "es", "son",
    "esta", "estoy", "mejor", "vecino", "vecina", "vecinos", "dueno", "duena", "apoderado",
    "apoderada", "adulto", "adulta", "mayor", "dirigente", "presidente", "presidenta",
    "secretario", "secretaria", "tesorero", "tesorera", "profesor", "profesora", "madre",
    "mama", "papa", "padre", "hijo", "hija", "residente", "estudiante", "comerciante",
    "conductor", "chofer", "funcionario", "funcionaria", "usuario", "usuaria", "socio",
    "socia", "un", "una", "uno", "muy", "tan", "nuevo", "nueva", "aqui", "aca", "ahi", "del",
    "sector", "villa", "poblacion", "pasaje", "calle", "avenida", "comuna", "junta", "comite",
    "hola", "buenas", "buenos", "dias", "tardes", "noches", "ok", "ya", "bueno", "nada",
    "ninguno", "ninguna", "mi", "me", "mis", "su", "sus", "tu", "yo", "le", "les", "lo", "se",
    "solo", "nomas", "po", "pos", "rut", "fono", "telefono", "celular", "correo", "mail",
    "whatsapp", "vivo", "vive", "escribo", "llamo", "hablo", "reclamo", "sugerencia",
    "felicitacion", "consulta", "soy", "con", "sin", "en", "al", "a", "e", "o", "u", "el",
    "the", "hay", "tiene", "tenemos", "era", "fue", "igual", "tambien", "otra", "otro",
    "persona", "senor", "senora", "don", "dona", "sr", "sra", "srta", "vez", "ese", "esa",
    "eso", "este", "esto", "cual", "quien", "como", "cuando", "donde", "ud", "usted",
    "desde", "hasta", "vivimos", "saludos", "atte", "att", "pero", "pues", "porfa", "hace",
    # the story sent while the name is asked: "casi chocan ayer", "con boletas y todo"
    "casi", "ayer", "hoy", "anoche", "manana", "semana", "semanas", "mes", "meses", "ano",
    "anos", "todo", "toda", "todos", "todas", "algo", "siempre", "nunca", "nadie", "boletas",
    "plata", "gasto", "gastos", "foto", "fotos", "corrijo", "perdon", "disculpe", "error",
    "equivoque", "misma", "mismo", "antes",
    "jaja", "jajaja", "ponga", "pongale", "mentira", "dicen", "xfa", "porfis", "hagan",
    "haga", "ayuda", "urgente",
}  # fmt: skip
_REFUSAL = re.compile(
    r"\b(?:no (?:quiero|deseo|puedo|voy a|le voy a|doy|dare|prefiero|me interesa)|"
    r"prefiero no|sin (?:dar )?(?:mi )?nombre|anonim|reservad[oa]|no es necesario|"
    r"para que|pa que|no lo (?:doy|dare)|ponga (?:vecino|anonimo|nomas)|vecino no mas)"
)
_FILLER = re.compile(
    r"^(?:(?:si|sí|ya|ok|bueno|hola|buenas|claro|ah|eh|mmm|oiga|perdon|perdón|dale|listo|po|pos|"
    r"mire|yo|ya po|saludos|atentamente|atte|att)"
    r"[\s,.:!]+)+",
    re.IGNORECASE,
)
_LEAD_IN = re.compile(
    r"^(?:(?:mi\s+)?nombre\s+(?:completo\s+)?(?:es|eh|:)|m[e]?\s+llamo|soy|habla|le\s+habla|"
    r"le\s+escribe|les\s+escribe|te\s+escribe|escribe|a\s+nombre\s+de|nombre\s*:|"
    r"mis\s+apellidos\s+son|mi\s+apellido\s+es|apellidos?\s*:?|y\s+mis\s+apellidos\s+son|"
    r"hablas?\s+con|d[ií]game|me\s+dicen|p[oó]ngale|es|son|con)\s+",
    re.IGNORECASE,
)
# "…bueno, Carmen Rosa Vidal", "…o sea Juan": the resident corrects what came before; a
# caller starts again after a filler ("eh jorge eh jorge riquelme", "soy patricio mire
# patricio navarro")
_CORRECTION = re.compile(r"\s(?:bueno|o sea|perd[oó]n|digo|mejor dicho)[\s,:]+", re.IGNORECASE)
_RESTART = re.compile(r"\s(?:eh+|mire|mmm+)[\s,:]+", re.IGNORECASE)
_INNER_FILLER = re.compile(r"(?<=\s)(?:eh+|mmm+)[\s,]+", re.IGNORECASE)
# "soy la presidenta del comité de agua Luisa Carrasco": a role, then the name
_ROLE = re.compile(
    r"^(?:soy|habla|le\s+habla)\s+(?:el|la)\s+(?:presidente|presidenta|secretari[oa]|"
    r"tesorer[oa]|dirigente|encargad[oa]|delegad[oa]|administrador[a]?|vecin[oa])\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ'’\-]+")
# Cues that introduce the speaker's own name inside a longer message.
_SELF_CUE = re.compile(
    r"\b(?:me\s+llamo|(?:mi|el)\s+nombre\s+(?:completo\s+)?(?:es|eh|:)|soy|habla|le\s+habla|"
    r"les\s+habla|le\s+escribe|les\s+escribe|te\s+escribe|atte\.?|att\.?|atentamente|"
    r"saludos\s+cordiales|cordialmente|le\s+saluda|les\s+saluda|firma|nombre\s*:|"
    r"de\s+parte\s+de(?=\s+(?-i:[A-ZÁÉÍÓÚÑ]))|reclama(?=\s+(?-i:[A-ZÁÉÍÓÚÑ]))|"
    r"(?:mi\s+)?nombre(?=\s+[A-ZÁÉÍÓÚÑ])|(?:usted\s+)?habla\s+con|escribo\s+yo|"
    r"(?<![\w ]\s)escribe(?=\s+(?-i:[A-ZÁÉÍÓÚÑ])))\s*[,:]?\s*",
    re.IGNORECASE,
)


# Common Chilean given names (folded): "Juan Pablo" alone is two first names, so the form asks
# for the surnames; and a first word that is no name and reads like a verb ("tiran colchones,
# ramas…") is the story, not a name.
FIRST_NAMES = frozenset(
    [
        # added in session 7 (names blind rounds r9 and r10 showed as first names, and their like)
        "nicole",
        "jesus",
        "bryan",
        "brian",
        "yasna",
        "jocelyn",
        "katherine",
        "catherine",
        "stephanie",
        "estefania",
        "scarlett",
        "constanza",
        "anais",
        "aracely",
        "yanet",
        "janet",
        "jeannette",
        "johanna",
        "joselyn",
        "marjorie",
        "evelyn",
        "lissette",
        "lisette",
        "maritza",
        "nelly",
        "olga",
        "rosa",
        "rosario",
        "marta",
        "berta",
        "elba",
        "irma",
        "hilda",
        "nora",
        "ines",
        "eugenia",
        "valeria",
        "fabiola",
        "fresia",
        "herminia",
        "jacqueline",
        "jose",
        "luis",
        "juan",
        "pedro",
        "pablo",
        "hernan",
        "arturo",
        "rolando",
        "ruben",
        "alexis",
        "cristobal",
        "kevin",
        "jordan",
        "dylan",
        "axel",
        "ian",
        "benjamin",
        "vicente",
        "matias",
        "ignacio",
        "gonzalo",
        "rodrigo",
        "mauricio",
        "leonardo",
        "hector",
        "oscar",
        "ricardo",
        "jaime",
        "patricio",
        "humberto",
        "segundo",
        "eliecer",
        "heriberto",
        "angeles",
        "leonel",
        "paulina",
        "ingrid",
        "yessenia",
        "nataly",
        "gaston",
        "jean",
        "amaro",
        "thiago",
        "facundo",
        "salvador",
        "baltazar",
        "mateo",
        "santiago",
        "bruno",
        "liam",
        "zunilda",
        "dolores",
        "mercedes",
        "pilar",
        "consuelo",
        "rosario",
        "carmen",
        "lourdes",
        "milagros",
        "belen",
        "soledad",
        "paz",
        "luz",
        "adolfo",
        "adriana",
        "agustin",
        "agustina",
        "alberto",
        "aldo",
        "alejandra",
        "alejandro",
        "alexis",
        "alfredo",
        "alicia",
        "alonso",
        "alvaro",
        "amanda",
        "elizabeth",
        "gladys",
        "jeannette",
        "montserrat",
        "monserrat",
        "renata",
        "yesenia",
        "amelia",
        "ana",
        "anahi",
        "andrea",
        "andres",
        "angel",
        "angela",
        "angelica",
        "anita",
        "antonella",
        "antonia",
        "antonio",
        "armando",
        "arturo",
        "ayelen",
        "aylin",
        "barbara",
        "bastian",
        "beatriz",
        "belen",
        "benito",
        "benjamin",
        "bernardita",
        "bernardo",
        "berta",
        "blanca",
        "boris",
        "brayan",
        "bryan",
        "byron",
        "camila",
        "camilo",
        "carla",
        "carlos",
        "carmen",
        "carolina",
        "catalina",
        "cecilia",
        "celia",
        "cesar",
        "christian",
        "clara",
        "claudia",
        "claudio",
        "clemente",
        "constanza",
        "cristian",
        "cristina",
        "cristobal",
        "damian",
        "daniel",
        "daniela",
        "dante",
        "david",
        "dayana",
        "dayanne",
        "delia",
        "denisse",
        "diana",
        "diego",
        "dolores",
        "domingo",
        "edgardo",
        "edith",
        "eduardo",
        "efrain",
        "elena",
        "eliana",
        "elias",
        "elisa",
        "elvira",
        "emilia",
        "emilio",
        "emma",
        "enrique",
        "ernesto",
        "erwin",
        "esteban",
        "estela",
        "ester",
        "eva",
        "evelyn",
        "exequiel",
        "ezequiel",
        "fabian",
        "fabio",
        "fabiola",
        "feliciano",
        "felipe",
        "fernanda",
        "fernando",
        "flavio",
        "flor",
        "florencia",
        "francisca",
        "francisco",
        "franco",
        "gabriel",
        "gabriela",
        "gaspar",
        "genesis",
        "gerardo",
        "gisela",
        "gloria",
        "gonzalo",
        "graciela",
        "gregorio",
        "guillermo",
        "gustavo",
        "hector",
        "heriberto",
        "hernan",
        "hilda",
        "hugo",
        "humberto",
        "ignacia",
        "ignacio",
        "ines",
        "irene",
        "irma",
        "isaac",
        "isabel",
        "isidora",
        "ivan",
        "ivonne",
        "jacinto",
        "jacqueline",
        "jaime",
        "jairo",
        "janet",
        "javier",
        "javiera",
        "jeremias",
        "jessica",
        "jimena",
        "joaquin",
        "joel",
        "jonatan",
        "jonathan",
        "jorge",
        "jose",
        "josefa",
        "josefina",
        "juan",
        "juana",
        "julia",
        "julian",
        "julio",
        "karen",
        "karina",
        "kevin",
        "laura",
        "lautaro",
        "leandro",
        "leonardo",
        "leopoldo",
        "leticia",
        "lidia",
        "liliana",
        "lorena",
        "lorenzo",
        "loreto",
        "lucas",
        "lucia",
        "luciano",
        "luis",
        "luisa",
        "luz",
        "macarena",
        "magdalena",
        "maite",
        "manuel",
        "manuela",
        "marcela",
        "marcelo",
        "marco",
        "marcos",
        "margarita",
        "maria",
        "maribel",
        "mario",
        "marisol",
        "marta",
        "martha",
        "martin",
        "martina",
        "matias",
        "matilde",
        "mauricio",
        "maximiliano",
        "mercedes",
        "miguel",
        "millaray",
        "miriam",
        "mirta",
        "moises",
        "monica",
        "nadia",
        "nancy",
        "natalia",
        "nelson",
        "nestor",
        "nicolas",
        "nora",
        "norma",
        "octavio",
        "olga",
        "olivia",
        "omar",
        "orlando",
        "oscar",
        "osvaldo",
        "pablo",
        "pamela",
        "paola",
        "pascal",
        "pascual",
        "patricia",
        "patricio",
        "paula",
        "pedro",
        "pia",
        "pilar",
        "priscila",
        "rafael",
        "ramiro",
        "ramon",
        "raquel",
        "raul",
        "rayen",
        "rebeca",
        "regina",
        "reinaldo",
        "renato",
        "rene",
        "ricardo",
        "rigoberto",
        "roberto",
        "rocio",
        "rodolfo",
        "rodrigo",
        "rolando",
        "romina",
        "rosa",
        "rosario",
        "ruben",
        "ruth",
        "sabina",
        "samuel",
        "sandra",
        "sara",
        "saul",
        "scarlett",
        "sebastian",
        "segundo",
        "selena",
        "sergio",
        "silvia",
        "simon",
        "sofia",
        "solange",
        "soledad",
        "sonia",
        "susana",
        "tamara",
        "tatiana",
        "teodoro",
        "teresa",
        "tito",
        "tomas",
        "trinidad",
        "ulises",
        "ursula",
        "valentin",
        "valentina",
        "valeria",
        "vanessa",
        "veronica",
        "vicente",
        "victor",
        "victoria",
        "violeta",
        "viviana",
        "waldo",
        "wilson",
        "ximena",
        "yanet",
        "yasna",
        "yerko",
        "yessica",
        "yolanda",
        "zoila",
        # common Chilean given names of people born 1940-2015 (older, modern, anglo, Mapuche and
        # the parts of compound names), leaving out those far more common as surnames or words
        "aaron",
        "abel",
        "abigail",
        "abraham",
        "ada",
        "adan",
        "adela",
        "adelaida",
        "adelina",
        "adrian",
        "aida",
        "ailen",
        "ailin",
        "aitana",
        "alamiro",
        "alan",
        "albertina",
        "alcides",
        "alejo",
        "alessandra",
        "alex",
        "alexander",
        "alexandra",
        "alfonso",
        "aliro",
        "alison",
        "allan",
        "allison",
        "alma",
        "almendra",
        "alondra",
        "amalia",
        "amancay",
        "amankay",
        "amaya",
        "ambar",
        "ambrosio",
        "americo",
        "amparo",
        "anabel",
        "anabella",
        "analia",
        "anastasia",
        "angelina",
        "angelo",
        "angie",
        "anibal",
        "anselmo",
        "anthony",
        "antonela",
        "antonieta",
        "antu",
        "aquiles",
        "araceli",
        "arcadio",
        "ariadna",
        "ariana",
        "ariel",
        "aristides",
        "arlette",
        "arnoldo",
        "arsenio",
        "artemio",
        "ashley",
        "astrid",
        "atilio",
        "augusto",
        "aurelia",
        "aurelio",
        "aurora",
        "ayleen",
        "aylen",
        "baltasar",
        "bautista",
        "begona",
        "belisario",
        "benjamina",
        "bernabe",
        "bernarda",
        "bertina",
        "betty",
        "bianca",
        "bladimir",
        "brandon",
        "braulio",
        "brenda",
        "brigida",
        "britany",
        "brittany",
        "caleb",
        "candelaria",
        "candido",
        "carlota",
        "carmela",
        "carmelo",
        "carol",
        "carola",
        "casandra",
        "casimiro",
        "cayetano",
        "ceferino",
        "celeste",
        "celina",
        "celinda",
        "celso",
        "christopher",
        "cinthia",
        "cintia",
        "cipriano",
        "cirilo",
        "ciro",
        "clarisa",
        "clementina",
        "clodomiro",
        "clorinda",
        "clotilde",
        "colomba",
        "conrado",
        "cornelia",
        "cristhian",
        "cristofer",
        "cristopher",
        "cynthia",
        "dafne",
        "dagoberto",
        "daisy",
        "dalia",
        "damaris",
        "dana",
        "danae",
        "danilo",
        "danitza",
        "dario",
        "darwin",
        "debora",
        "delfin",
        "delfina",
        "demetrio",
        "denise",
        "dennis",
        "dilan",
        "dino",
        "dionisio",
        "dominga",
        "dominique",
        "dora",
        "doris",
        "edelmira",
        "edelmiro",
        "edgar",
        "edison",
        "edmundo",
        "edwin",
        "eladio",
        "elcira",
        "eleodoro",
        "eleuterio",
        "elia",
        "elian",
        "eliezer",
        "eliodoro",
        "elisabeth",
        "eliseo",
        "eloisa",
        "eloy",
        "elsa",
        "elvis",
        "ema",
        "emanuel",
        "emelina",
        "emerson",
        "emiliano",
        "emily",
        "emmanuel",
        "enzo",
        "erasmo",
        "ercilia",
        "eric",
        "erica",
        "erick",
        "erik",
        "erika",
        "ernestina",
        "esmeralda",
        "esperanza",
        "estanislao",
        "estefany",
        "esther",
        "etelvina",
        "eugenio",
        "eulalia",
        "eusebio",
        "evangelina",
        "evaristo",
        "evelin",
        "fabricio",
        "fanny",
        "fatima",
        "fausto",
        "federico",
        "felix",
        "fermin",
        "fidel",
        "filomena",
        "flavia",
        "flora",
        "florencio",
        "florentino",
        "florinda",
        "francesca",
        "franchesca",
        "franklin",
        "freddy",
        "fredy",
        "froilan",
        "gabino",
        "gael",
        "galo",
        "galvarino",
        "genaro",
        "genoveva",
        "georgina",
        "geraldine",
        "german",
        "gerson",
        "gertrudis",
        "gianfranco",
        "gilberto",
        "gilda",
        "gino",
        "giovanna",
        "giovanni",
        "giselle",
        "gladis",
        "gregoria",
        "griselda",
        "guacolda",
        "guadalupe",
        "guido",
        "guillermina",
        "hanna",
        "hans",
        "harold",
        "haydee",
        "heidi",
        "helen",
        "henry",
        "heraldo",
        "herman",
        "hermelinda",
        "herminda",
        "hermogenes",
        "higinio",
        "hilario",
        "hipolito",
        "honorio",
        "horacio",
        "hortensia",
        "ilse",
        "inaki",
        "inti",
        "irina",
        "iris",
        "isabella",
        "isaias",
        "isidro",
        "ismael",
        "isolina",
        "israel",
        "ivana",
        "ivania",
        "ivette",
        "ivo",
        "jacob",
        "janette",
        "janina",
        "jaqueline",
        "jazmin",
        "jeanette",
        "jenifer",
        "jeniffer",
        "jennifer",
        "jenny",
        "jeremy",
        "jeronimo",
        "jesica",
        "jessenia",
        "jhon",
        "jhonatan",
        "jhonathan",
        "jhonny",
        "jimmy",
        "joanna",
        "johan",
        "johana",
        "john",
        "johnny",
        "joselin",
        "josselyn",
        "josue",
        "jovita",
        "juanita",
        "judith",
        "juliana",
        "julieta",
        "juvenal",
        "karin",
        "karla",
        "karol",
        "katerine",
        "katherin",
        "katia",
        "kiara",
        "kimberly",
        "ladislao",
        "laila",
        "lazaro",
        "leila",
        "leoncio",
        "leonidas",
        "leonor",
        "leontina",
        "leslie",
        "lesly",
        "lia",
        "lilian",
        "lina",
        "lino",
        "lisa",
        "lisandro",
        "lorenza",
        "luciana",
        "lucila",
        "lucinda",
        "lucio",
        "lucrecia",
        "lucy",
        "lukas",
        "luzmira",
        "mabel",
        "mafalda",
        "magali",
        "magaly",
        "maicol",
        "maira",
        "mara",
        "marcelina",
        "marcelino",
        "marcia",
        "marcial",
        "margot",
        "mariana",
        "marianela",
        "mariano",
        "maricarmen",
        "maricel",
        "maricela",
        "mariel",
        "mariela",
        "mariluz",
        "marilyn",
        "marina",
        "marion",
        "marisa",
        "marlen",
        "marlene",
        "maryorie",
        "mathias",
        "mauro",
        "max",
        "maximo",
        "mayra",
        "mayte",
        "melanie",
        "melany",
        "melissa",
        "mia",
        "micaela",
        "michael",
        "michelle",
        "mikaela",
        "mildred",
        "milena",
        "milton",
        "mirella",
        "mireya",
        "mirko",
        "mirna",
        "misael",
        "myriam",
        "nahuel",
        "napoleon",
        "natacha",
        "natali",
        "natalie",
        "natanael",
        "nataniel",
        "nathaly",
        "nayadet",
        "nayaret",
        "nayareth",
        "nelda",
        "nelida",
        "nerea",
        "nibaldo",
        "nicanor",
        "nicol",
        "nicolle",
        "nidia",
        "nieves",
        "nilda",
        "noe",
        "noel",
        "noelia",
        "noemi",
        "nolberto",
        "norberto",
        "odette",
        "ofelia",
        "olegario",
        "olimpia",
        "orfelina",
        "oriana",
        "orieta",
        "oswaldo",
        "otilia",
        "paloma",
        "pascale",
        "paulette",
        "petronila",
        "porfirio",
        "priscilla",
        "rafaela",
        "raimundo",
        "remigio",
        "renzo",
        "reynaldo",
        "richard",
        "rita",
        "robinson",
        "rogelio",
        "romulo",
        "ronald",
        "rosalba",
        "rosalia",
        "rosalinda",
        "rosamel",
        "rosana",
        "rosenda",
        "rosendo",
        "rossana",
        "roxana",
        "ruperto",
        "sabrina",
        "salome",
        "samanta",
        "samantha",
        "sandro",
        "santino",
        "sarah",
        "scarlet",
        "scarleth",
        "severino",
        "sigrid",
        "silvana",
        "silvio",
        "sixto",
        "soraya",
        "stefania",
        "stefany",
        "stephany",
        "steven",
        "suyai",
        "sylvia",
        "tabita",
        "tadeo",
        "tania",
        "tegualda",
        "teofilo",
        "teolinda",
        "thamara",
        "thiare",
        "thomas",
        "tiago",
        "tiare",
        "tobias",
        "tomasa",
        "tristan",
        "tulio",
        "ubaldo",
        "uberlinda",
        "uriel",
        "valerio",
        "valeska",
        "vania",
        "vicenta",
        "victorino",
        "vilma",
        "virgilio",
        "virginia",
        "vivian",
        "vladimir",
        "waldemar",
        "walter",
        "washington",
        "wenceslao",
        "wendy",
        "wilfredo",
        "william",
        "wladimir",
        "xiomara",
        "yanina",
        "yanira",
        "yaritza",
        "yasmin",
        "yazmin",
        "yenifer",
        "yenny",
        "yocelyn",
        "yohana",
        "yoselin",
        "yuri",
        "zacarias",
        "zenon",
        "zoe",
        "zoraida",
        "zulema",
    ]
)
_VERB_LIKE = re.compile(r"(?:an|en|aron|ieron|amos|emos|imos|aba|aban|ia|ian|ando|iendo|ado|ada)$")


def _reads_like_a_verb(word: str) -> bool:
    """ "tiran", "dicen": no given name we know, and a verb's ending."""
    folded = fold(word)
    return folded not in FIRST_NAMES and bool(_VERB_LIKE.search(folded))


def only_first_names(name: str) -> bool:
    """ "Juan Pablo", "María José": given names without a surname."""
    words = [fold(word) for word in name.split() if fold(word) not in PARTICLES]
    return bool(words) and all(word in FIRST_NAMES for word in words)


def refuses(text: str) -> bool:
    """The resident declines to give what was asked ("prefiero no decirlo", "anónimo")."""
    return bool(_REFUSAL.search(fold(text or "")))


def display_name(words: list[str]) -> str:
    """'ANA MARÍA de la TORRE' -> 'Ana María de la Torre': capitals, particles in lower case."""
    shown = []
    for index, word in enumerate(words):
        folded = fold(word)
        if 0 < index < len(words) - 1 and folded in PARTICLES:
            shown.append(word.lower())
            continue
        parts = re.split(r"([\-'’])", word)
        shown.append("".join(p[:1].upper() + p[1:].lower() if p.isalpha() else p for p in parts))
    return " ".join(shown)


def _name_words(text: str, limit: int = 6) -> list[str]:
    """The run of name words at the start of `text`, up to the first word that is not one."""
    head = text[:80]
    cased = any(c.isupper() for c in head) and any(c.islower() for c in head)
    words: list[str] = []
    position = 0
    for match in _WORD.finditer(text):
        between = text[position : match.start()]
        if words and re.search(r"[,.;:!?()\d@/]|\s-\s", between):
            break
        position = match.end()
        word = match.group(0).strip("'’-")
        folded = fold(word)
        if not word:
            break
        if not words and folded in _TITLES:
            continue  # "la señora Marta", "don Luis"
        if (
            len(word) == 1
            and word.isupper()
            and len(words) >= 2
            and text[match.end() : match.end() + 1] == "."
        ):
            words.append(word + ".")  # "Gonzalo Poblete R.": the initial of a surname
            break
        if folded in PARTICLES:
            following = text[match.end() :].lstrip()
            if not words and not (cased and folded in {"del", "de"} and following[:1].isupper()):
                break  # "nombre de la calle": a name starts with "de" only as "del Valle"
            upcoming = _WORD.match(following)
            if upcoming and (
                fold(upcoming.group(0)) in _NOT_NAME or _reads_like_a_verb(upcoming.group(0))
            ):
                break  # "soy juan pablo mella y queria sugerir…": the sentence goes on
            words.append(word)
            continue
        if folded in _NOT_NAME or len(folded) < 2:
            break
        if cased and words and word[:1].islower():
            break  # typed with capitals: "Cristián Fuentes desde la villa"
        words.append(word)
        if len([w for w in words if fold(w) not in PARTICLES]) >= limit:
            break
    while words and fold(words[-1]) in PARTICLES:
        words.pop()
    return words


def _tidy_answer(text: str) -> str:
    """ "ah mi nombre? Camila…" without the question, "Cristián... Fuentes" without the dots,
    "la tía Chelita, bueno, Graciela Vidal" after the correction, the name after a role."""
    value = re.sub(r"^.{0,20}\bnombre\s*\?\s*", "", text.strip(), flags=re.IGNORECASE)
    value = re.sub(r"\s*(?:\.{2,}|…)\s*", " ", value).strip()
    value = re.sub(r"(?i)^soy\s+yo\s*[,.]?\s*(?:,\s*)?", "", value)  # "soy yo, la Carmen"
    parts = _CORRECTION.split(value)
    if len(parts) > 1 and len(_name_words(_FILLER.sub("", parts[-1]).strip())) >= 2:
        value = parts[-1].strip()
    parts = _RESTART.split(value)
    if len(parts) > 1:
        last = _name_words(_FILLER.sub("", parts[-1]).strip())
        before = _name_words(_LEAD_IN.sub("", _FILLER.sub("", parts[-2]).strip(), count=1))
        if len(last) >= 2 and before and fold(before[0]) == fold(last[0]):
            value = parts[-1].strip()  # the caller started again with the same first name
    value = _INNER_FILLER.sub("", value)  # "Juan eh Pérez"
    if _ROLE.match(value):
        tail = _trailing_name(value)
        if tail:
            value = tail
    return value


def _trailing_name(text: str) -> str | None:
    """The run of name words closing a sentence, starting with a given name we know."""
    words = _WORD.findall(text)
    for start in range(max(0, len(words) - 5), len(words) - 1):
        run = words[start:]
        if fold(run[0]) in FIRST_NAMES and all(
            fold(w) not in _NOT_NAME or fold(w) in PARTICLES for w in run
        ):
            return " ".join(run)
    return None


def _without_repeats(words: list[str]) -> list[str]:
    """ "juan juan pablo rivas" -> one "juan"; "carla vera soto carla vera" -> the first telling;
    "Rosa Ester Millán Millán" keeps both surnames."""
    kept: list[str] = []
    for position, word in enumerate(words):
        stutter = fold(word) in FIRST_NAMES or position < len(words) - 1
        if len(kept) == 1 and fold(word) == fold(kept[0]) and stutter:
            continue  # a stutter at the start; "Millán Millán" or "tapia tapia" as surnames stays
        if len(kept) >= 2 and fold(word) == fold(kept[0]):
            break
        kept.append(word)
    return kept


def parse_name(text: str) -> str | None:
    """The name in the answer to "what is your name?", whole; None for a refusal or a sentence."""
    value = _tidy_answer(text or "")
    both = _NAME_THEN_SURNAMES.match(value)
    if both:
        # "Nombre: Felipe Antonio; apellidos: Castillo Orellana", "mi nombre es Pedro y mi
        # apellido Olivares": each part read on its own, then joined
        first, more = parse_name(both.group("first")), parse_name(both.group("more"))
        if first and more:
            return join_name_parts(first, more)
    if not value or refuses(value) or "?" in value:
        return None  # a question is not a name
    introduced = find_name(value)
    if introduced:
        # "me dicen el flaco pero me llamo Sergio Andrés Rojas"; "me llamo Daniela, Daniela
        # Jara Inostroza": the fuller repetition after the comma wins
        repeated = _after_comma_name(value)
        nickname = len(introduced.split()) == 1 and fold(introduced) not in FIRST_NAMES
        if repeated and (
            fold(repeated).startswith(fold(introduced.split()[0]))
            or (len(introduced.split()) == 1 and len(repeated.split()) >= 3)
            or (nickname and len(repeated.split()) >= 2)  # "soy el Pato, Patricio Lobos"
        ):
            return repeated  # "Soy la Pili, María Pilar Rojas Díaz": the nickname, then the name
        return introduced
    value = _FILLER.sub("", value).strip()
    after_cue = _LEAD_IN.sub("", value, count=1)
    head = _name_words(after_cue, limit=5)
    followed = len(head) >= 2 and re.match(
        rf"^\W*{re.escape(' '.join(head))}\s*(?:,|$)", after_cue, re.I
    )
    if len(re.findall(r"\w+", value)) > 7 and not _LEAD_IN.match(value) and not followed:
        # a sentence sent while the name was asked ("cajones, verdura podrida…"), unless a
        # name stands alone before a comma ("Sebastián Ibarra Núñez, profesor del liceo")
        return _after_comma_name(value)
    for _ in range(3):
        stripped = _LEAD_IN.sub("", value, count=1).strip()
        if stripped == value:
            break
        value = stripped
    words = _name_words(value, limit=5)
    if not words or len("".join(words)) < 2:
        return _after_comma_name(value)  # "soy la mamá de la Cami, Lorena Huenchul"
    if _reads_like_a_verb(words[0]) and len(value.split()) > len(words):
        return None  # "tiran colchones, ramas, de todo": the story, sent while the name was asked
    if _goes_on_as_a_story(value, words):
        return None  # "musica a todo volumen y gritos", "casi chocan 2 autos esta mañana"
    return display_name(_without_repeats(words))


_NAME_THEN_SURNAMES = re.compile(
    r"^(?P<first>.+?)\s*(?:[,;.]\s*(?:y\s+)?|\s+y\s+)(?:(?:mis?|el|los)\s+)?apellidos?\s*"
    r"(?:es|son|:)?\s*(?P<more>.+)$",
    re.IGNORECASE,
)


def _goes_on_as_a_story(value: str, words: list[str]) -> bool:
    """Typed in lower case, not starting with a given name we know, and going on after the
    words read as a name: the rest of the story sent while the name was asked."""
    if any(c.isupper() for c in value) or fold(words[0]) in FIRST_NAMES:
        return False
    rest = value.split(words[-1], 1)[-1] if words[-1] in value else ""
    filler = {"no", "mas", "nomas", "po", "pos", "porfa", "gracias", "ya", "nada", "eso", "es"}
    story = [w for w in re.findall(r"[a-z0-9ñ]+", fold(rest)) if w not in filler]
    return len(story) >= 2


def _after_comma_name(text: str) -> str | None:
    """The fullest name standing alone after a comma ("…, gabriela rojas tapia"; "me llamo
    hugo, hugo salinas, el del taller")."""
    best: list[str] = []
    for segment in text.split(",")[1:]:
        segment = segment.strip(" .!")
        words = _name_words(segment, limit=5)
        if len(words) < 2 or len(segment.split()) != len(words) or _reads_like_a_verb(words[0]):
            continue
        if len(words) > len(best):
            best = words
    return display_name(best) if best else None


def find_name(text: str) -> str | None:
    """The resident's own name where they introduce themselves or sign; None otherwise."""
    for match in _SELF_CUE.finditer(text or ""):
        after = text[match.end() :]
        words = _name_words(after, limit=5)
        if not words:
            continue
        if not _looks_like_name(words, after):
            continue
        return display_name(_without_repeats(words))
    signed = _signature(text or "")
    if signed is None and text and text.isupper():
        signed = _signature(text.title())  # "…DA MIEDO PASAR. ANDREA SILVA 956743218"
    if signed is None and text:
        signed = _signed_first_name(text)
    return signed


# "…porfa manden a alguien. Marta": a given name we know, alone after the last full stop
_LAST_SENTENCE_NAME = re.compile(r"[.!?]\s+([A-ZÁÉÍÓÚÑ][a-záéíóúñü]+)\s*[.!]*\s*$")


def _signed_first_name(text: str) -> str | None:
    body = _CONTACT_TAIL.sub("", _EMOJI.sub(" ", text).strip(" ."))
    match = _LAST_SENTENCE_NAME.search(body)
    if match and fold(match.group(1)) in FIRST_NAMES:
        return match.group(1)
    return None


_CAPITAL_WORD = r"[A-ZÁÉÍÓÚÑ][a-záéíóúñü'’\-]+"
_SIGNATURE = re.compile(
    rf"(?:^|[.!?\n,:;]\s*|\bsaludos\s*,?\s*|\bgracias\s*,?\s*)"
    rf"({_CAPITAL_WORD}(?:\s+(?:(?:de|del|de la|de las|de los)\s+)?{_CAPITAL_WORD}){{1,4}})"
    r"\s*[.,;!]*\s*$"
)
_CONTACT_TAIL = re.compile(
    r"(?:[\s,;.-]*(?:[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)+|\+?\d[\d\s.\-]{6,}\d[kK]?|"
    r"(?:fono|tel[eé]fono|cel|celular|rut|correo|mail)\s*:?))+[\s.!]*$",
    re.IGNORECASE,
)
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f]+")
# a given name alone signs only after a closing word: "…saludos, Miguel"
_SIGNED_GIVEN_NAME = re.compile(
    rf"\b(?:saludos|gracias|atte\.?|atentamente)\s*[,:]?\s*({_CAPITAL_WORD}|[a-záéíóúñ]+)"
    r"\s*[.!]*\s*$",
    re.IGNORECASE,
)
_NOT_IN_SIGNATURE = {
    "villa", "poblacion", "pasaje", "calle", "avenida", "sector", "plaza", "parque", "condominio",
    "municipalidad", "oirs", "cesfam", "consultorio", "departamento", "oficina", "direccion",
    "san", "santa", "los", "las", "el", "la", "gracias", "saludos", "atentamente", "chile",
}  # fmt: skip


# who a message talks about, not who writes it
_THIRD_PERSON = {
    "sr", "sra", "srta", "don", "dona", "senor", "senora", "senorita", "dr", "dra", "doctor",
    "doctora", "vecino", "vecina", "vecinos", "funcionario", "funcionaria", "chofer", "profe",
    "profesor", "profesora", "tia", "tio", "enfermera", "enfermero", "inspector", "inspectora",
    "caballero", "joven", "alcalde", "alcaldesa", "concejal", "concejala", "director",
    "directora", "jefe", "jefa", "asistente", "guardia", "a", "al", "felicitar", "felicito",
    "agradecer", "agradezco", "destacar", "contra", "denunciar", "denuncio",
}  # fmt: skip


def _signature(text: str) -> str | None:
    """A name signed at the end ("…los robos. Gonzalo Miranda, gonzalo@correo.cl")."""
    body = _EMOJI.sub(" . ", text.strip())
    body = _CONTACT_TAIL.sub("", re.sub(r"\s*\([^)]*\)[\s.!]*$", "", body))
    body = _CONTACT_TAIL.sub("", body.strip(" ."))
    match = _SIGNATURE.search(body) or _SIGNED_GIVEN_NAME.search(body)
    if not match:
        return None
    words = match.group(1).split()
    # who the sentence of the signature is about: "felicito a la Sra. Marta Lagos", "el vecino
    # de al lado, Juan Pérez"; a title alone after a full stop is the writer's ("… Sra. Yolanda")
    sentence = re.split(r"(?<!\bsra)(?<!\bsr)(?<!\bsrta)[.!?\n]\s", fold(body[: match.start(1)]))[
        -1
    ]
    before = [w.strip(".,:;") for w in sentence.split()][-4:]
    if before and all(w in _TITLES for w in before) and len(before) == 1:
        before = []
    if any(word in _THIRD_PERSON for word in before):
        return None
    folded = [fold(word) for word in words]
    if folded[0] in _NOT_IN_SIGNATURE or any(f in _NOT_NAME for f in folded if f not in PARTICLES):
        return None
    return display_name(words)


def _looks_like_name(words: list[str], after: str) -> bool:
    """After "soy", a name, not "soy de la villa" or "soy apoderada": capitals where typed
    with capitals, and not a place or a common word."""
    first = words[0]
    cased = any(c.isupper() for c in after[:80]) and not after[:80].isupper()
    if cased and not first[:1].isupper():
        return False
    return fold(first) not in _NOT_NAME


def join_name_parts(first: str, more: str) -> str:
    """'Héctor' then 'Pizarro Lagos' -> 'Héctor Pizarro Lagos' (a name given in two turns)."""
    first_words, more_words = first.split(), more.split()
    if more_words and fold(more_words[0]) == fold(first_words[0]):
        return display_name(more_words)  # they repeated the whole name
    return display_name(first_words + more_words)

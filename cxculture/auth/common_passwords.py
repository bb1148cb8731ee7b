"""Common Italian passwords and the words they are made of, most common first.

zxcvbn knows English passwords, words and names; these let it see "forzajuve1897" or "tiamo2024!" for what
they are. Lower case, without accents (people leave them out of passwords).
"""

ITALIAN_COMMON_PASSWORDS = (
    "password", "ciao", "amore", "tiamo", "juventus", "forzajuve", "juve", "forzainter", "inter", "forzamilan",
    "milan", "forzanapoli", "napoli", "forzaroma", "roma", "forzalazio", "lazio", "italia", "forzaitalia",
    "ciaociao", "ciaone", "amoremio", "tiamotanto", "tesoro", "tesoromio", "cuore", "bacio", "baci", "stella",
    "angelo", "principessa", "cucciolo", "topolino", "paperino", "pippo", "pluto", "mamma", "papa", "famiglia",
    "casa", "milano", "torino", "firenze", "bologna", "venezia", "palermo", "genova", "bari", "verona", "fiorentina",
    "sampdoria", "genoa", "atalanta", "calcio", "pallone", "scudetto", "campione", "campioni", "gatto", "cane",
    "micio", "fragola", "cioccolato", "nutella", "pizza", "pasta", "mare", "sole", "luna", "cielo", "estate",
    "inverno", "primavera", "autunno", "libero", "liberta", "vittoria", "felicita", "speranza", "fortuna",
    "destino", "sempre", "insieme", "parola", "parolachiave", "parolasegreta", "chiave", "segreto", "accesso",
    "entra", "benvenuto", "benvenuti", "cambiami", "nuovapassword", "passwordnuova", "miapassword",
    "lamiapassword", "nonloso", "prova", "provaprova", "ciaomondo", "buongiorno", "buonasera", "grazie", "prego",
    "ciaobella", "bella", "bello", "dolce", "dolcevita", "amici", "amico", "amica", "ragazzo", "ragazza",
    "bambino", "bambina", "nonno", "nonna", "fratello", "sorella", "figlio", "figlia", "marito", "moglie",
    "fidanzato", "fidanzata", "francesco", "giuseppe", "giovanni", "antonio", "mario", "luigi", "marco", "andrea",
    "alessandro", "luca", "matteo", "lorenzo", "davide", "simone", "federico", "riccardo", "stefano", "paolo",
    "roberto", "giorgio", "salvatore", "vincenzo", "giulia", "francesca", "chiara", "sara", "martina",
    "valentina", "alessia", "elena", "silvia", "federica", "giorgia", "sofia", "aurora", "ginevra", "beatrice",
    "anna", "maria", "rossi", "russo", "ferrari", "esposito", "bianchi", "romano", "colombo", "ricci", "marino",
    "greco", "bruno", "gallo", "conti", "costa", "fontana", "vespa", "lamborghini", "maserati", "ducati",
    "valentino", "totti", "maradona", "delpiero", "baggio", "gennaio", "febbraio", "marzo", "aprile", "maggio",
    "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre", "lunedi", "martedi",
    "mercoledi", "giovedi", "venerdi", "sabato", "domenica", "uno", "due", "tre", "quattro", "cinque", "dieci",
    "cento", "mille", "azienda", "lavoro", "ufficio", "cliente", "clienti", "negozio", "banca", "cultura",
    "formazione", "qualita", "servizio", "successo", "natale", "pasqua", "ferragosto", "vacanza", "vacanze",
)

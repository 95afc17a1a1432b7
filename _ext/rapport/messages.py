"""Writer-facing warnings: one place that lists every warning subtype.

Runs in every build phase. All warnings carry ``type="rapport"`` and a subtype from
:data:`SUBTYPES`, so a project can silence one with
``suppress_warnings = ["rapport.section-empty"]`` and tests can assert them. The
messages are Swedish because the writers are; the ``rapport kontroll`` command and the
writer's guide list the same subtypes with their explanations.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger("rapport")

#: subtype -> (short Swedish explanation, how to fix it). The writer's guide renders this.
SUBTYPES: dict[str, tuple[str, str]] = {
    "frontmatter": (
        "Front matter (metadata överst i filen) går inte att läsa.",
        "Kontrollera att blocket börjar och slutar med --- och att varje rad har formen nyckel: värde.",
    ),
    "date-missing": (
        "Rapporten saknar uppgift om när den sammanställdes.",
        "Lägg till raden sammanstallt: ÅÅÅÅ-MM-DD TT:MM i front matter.",
    ),
    "date-invalid": (
        "Ett datum eller klockslag går inte att läsa.",
        "Skriv datum som ÅÅÅÅ-MM-DD och klockslag som TT:MM, till exempel 2025-09-25 08:30.",
    ),
    "series-unknown": (
        "Rapporten anger en serie som inte finns i konfigurationen.",
        "Använd ett av seriernas id i conf.py (rapport_series) eller ta bort raden serie:.",
    ),
    "section-unknown": (
        "Ett avsnitt har ett namn som inte finns i seriens avsnittslista.",
        "Använd ett av de avsnittsnamn som anges i meddelandet.",
    ),
    "section-missing": (
        "Ett obligatoriskt avsnitt saknas.",
        "Lägg till avsnittet med direktivet avsnitt.",
    ),
    "section-duplicate": (
        "Samma avsnitt förekommer två gånger.",
        "Slå ihop innehållet till ett avsnitt.",
    ),
    "section-order": (
        "Avsnitten står i fel ordning.",
        "Flytta avsnittet så att ordningen följer seriens mall.",
    ),
    "section-empty": (
        "Ett avsnitt saknar innehåll.",
        "Skriv innehåll i avsnittet eller ta bort det om det inte är obligatoriskt.",
    ),
    "standing-missing": (
        "Filen med stående innehåll för ett avsnitt saknas.",
        "Skapa filen som anges i meddelandet eller rätta sökvägen i conf.py.",
    ),
    "config": (
        "Inställningarna för rapportserien i conf.py är felaktiga.",
        "Rätta inställningen som nämns i meddelandet.",
    ),
    "report-duplicate": (
        "Två rapporter i samma serie har samma tidpunkt för sammanställning.",
        "Ändra tidpunkten i en av rapporterna.",
    ),
    "action-date": (
        "En kommunikativ åtgärd saknar datum eller har ett ogiltigt datum.",
        "Börja punkten med datum, till exempel ”23/9: [Titel](länk)” eller ”23/9 Vårdskiftet: …”.",
    ),
    "action-link": (
        "En kommunikativ åtgärd saknar länk eller har en felaktig länk.",
        "Skriv åtgärdens titel som en länk: [Titel](https://…). Endast http-, https- och mailto-länkar godtas.",
    ),
    "topic-unknown": (
        "Ett ämne används men har ingen ämnessida.",
        "Använd ett av de kända ämnena eller skapa en ämnessida i docs/amnen/.",
    ),
    "search-index": (
        "Sökindexet kunde inte byggas; webbplatsen fungerar men sökningen hittar ingenting.",
        "Kontrollera att paketet pagefind-bin är installerat (make venv) och bygg igen.",
    ),
    "block-nesting": (
        "Ett block (till exempel :::{beslut}) står inne i ett annat (:::{avsnitt}) med lika många kolon. "
        "Det inre blockets avslutande ::: avslutar då det yttre, så texten efter hamnar utanför och nästa "
        "avsnitt kan försvinna från sidan.",
        "Skriv fler kolon på det yttre blocket än på det inre: ::::{avsnitt} … :::{beslut} … ::: … ::::.",
    ),
    "option-invalid": (
        "Ett direktiv har ett ogiltigt eller saknat alternativ.",
        "Rätta alternativet som nämns i meddelandet.",
    ),
    "carryover-unconfirmed": (
        "En punkt som rapport ny kopierade från förra rapporten är inte bekräftad (märkt [BEKRÄFTA]).",
        "Läs punkten. Stämmer den: ta bort [BEKRÄFTA]. Gäller den inte längre: ta bort hela punkten.",
    ),
    "example-invalid": (
        "Ett exempel i skrivguiden (direktivet exempel) är tomt eller går inte att visa.",
        "Skriv MyST-källtexten för exemplet inuti direktivet.",
    ),
    "pdf-image": (
        "En bild i rapporten finns inte (eller ligger på nätet) och kommer inte med i PDF:en.",
        "Rätta sökvägen till bilden eller lägg bildfilen bredvid rapporten.",
    ),
    "pdf-link": (
        "En länk går till en sida eller ett ankare som inte finns; i PDF:en blir den vanlig text.",
        "Rätta länkens mål eller ta bort länken.",
    ),
    "pdf-pages": (
        "Rapporten blir fler sidor i PDF:en än gränsen rapport_pdf_max_pages.",
        "Korta rapporten eller flytta bakgrund till en egen sida.",
    ),
    "pdf-long-word": (
        "Ett mycket långt ord utan mellanslag bryts mitt i ordet i PDF:en.",
        "Lägg in det mellanslag som saknas eller gör texten till en länk.",
    ),
    "pdf-overflow": (
        "En tabell, bild eller ett kodblock är bredare än PDF-sidan.",
        "Minska antalet kolumner eller dela upp tabellen.",
    ),
    "pdf-wide-table": (
        "En tabell har fler kolumner än som ryms väl på en PDF-sida (rapport_pdf_max_columns).",
        "Minska antalet kolumner, till exempel genom att dela upp tabellen.",
    ),
    "pdf-long-table": (
        "En tabell delas över flera sidor i PDF:en.",
        "Dela upp tabellen eller flytta den till en egen sida om den blir svår att läsa.",
    ),
    "pdf-failed": (
        "En PDF kunde inte skapas; de andra PDF:erna skrivs ändå.",
        "Läs felbeskrivningen; ofta är det en bild eller ett tecken som inte kan visas.",
    ),
    "pdf-font": (
        "Typsnitten för PDF:en finns inte på datorn.",
        "Installera fonts-liberation eller fonts-dejavu-core, eller ange typsnittsfiler i rapport_pdf_fonts.",
    ),
    "pdf-config": (
        "En PDF-inställning (rapport_pdf_*) är felaktig.",
        "Rätta inställningen som nämns i meddelandet.",
    ),
    "entry-duplicate": (
        "Samma id används för två beslut eller FAQ-poster; den senare hoppas över.",
        "Ge en av posterna ett annat id (meddelandet nämner var den första finns).",
    ),
    "ref-unknown": (
        "En hänvisning ({beslut} eller {faq}, eller ersätter/ersatt av) går till ett id som inte finns.",
        "Rätta id:t eller lägg till beslutet eller FAQ-posten.",
    ),
    "status-unknown": (
        "Ett beslut har en status som inte finns.",
        "Skriv en av statusarna planerat, fattat, upphävt eller ersatt.",
    ),
    "supersedes-cycle": (
        "Beslut ersätter varandra i en cirkel (A ersätter B som ersätter A).",
        "Rätta :ersatter: eller :ersatt-av: så att kedjan får en början och ett slut.",
    ),
    "source-unknown": (
        "Ett beslut anger en källa som inte finns i källförteckningen (kallor.bib).",
        "Lägg till källan i kallor.bib eller rätta nyckeln i :kallor:.",
    ),
    "raw-html": (
        "Rapporten innehåller HTML-kod; den visas som text i stället för att tolkas.",
        "Skriv innehållet i Markdown. Behövs HTML verkligen kan rapport_allow_raw_html = True sättas i conf.py.",
    ),
    "internal-fence": (
        "Ett internt block avslutas av ett inre direktiv, så texten efter det blir inte intern.",
        "Skriv internt med fler kolon än direktiven inuti: ::::{internt} … ::::.",
    ),
    "link-unsafe": (
        "En länk (till exempel javascript:) kan köra kod i läsarens webbläsare och blir vanlig text.",
        "Använd en http-, https- eller mailto-länk.",
    ),
    "link-target": (
        "En länk har ett mål som är för långt för att vara en sida eller fil; länken blir vanlig text.",
        "Rätta länkens mål: en webbadress börjar med https://, en sida anges med sitt filnamn.",
    ),
    "encoding": (
        "Filen är inte sparad som UTF-8, så å, ä, ö och andra tecken kan inte läsas.",
        "Öppna filen i redigeraren och spara den med teckenkodningen UTF-8.",
    ),
    "path-outside": (
        "En fil som rapporten hänvisar till (include, bild, nedladdning, tabell) ligger utanför källmappen docs/ och läses inte.",
        "Lägg filen i docs/ och hänvisa till den med en sökväg inom docs/.",
    ),
    "path-url": (
        "Ett direktiv ska hämta innehåll från en webbadress (:url:); bygget hämtar inget från nätet.",
        "Spara innehållet som en fil i docs/ och använd :file: i stället.",
    ),
    "source-outside": (
        "En fil eller mapp i docs/ är en genväg (symbolisk länk) till en plats utanför docs/ och läses inte.",
        "Flytta in filen eller mappen i docs/ i stället för att länka till den.",
    ),
    "file-large": (
        "Filen är mycket stor (över en miljon tecken) och gör varje bygge långsamt.",
        "Kontrollera att inget inklistrat material kommit med av misstag, eller dela upp innehållet.",
    ),
    "source-nul": (
        "Filen innehåller ett NUL-tecken: den är en binärfil eller skadad och läses inte (sidan byggs tom).",
        "Spara om filen som vanlig text (UTF-8), till exempel genom att kopiera texten till en ny fil.",
    ),
    "source-control": (
        "Filen innehåller osynliga styrtecken (till exempel vertikal tabb eller ESC); de ersätts med mellanslag.",
        "Skriv om raden, eller klistra in texten som oformaterad text.",
    ),
    "frontmatter-limit": (
        "Front matter är för stort, för djupt nästlat eller använder YAML-ankare/-alias (& och *); "
        "hela blocket ignoreras och sidan räknas som intern.",
        "Skriv front matter som enkla rader nyckel: värde, utan & och *.",
    ),
    "frontmatter-key": (
        "Front matter har en nyckel som webbplatsen inte använder (till exempel myst eller html_meta); "
        "raderna ignoreras.",
        "Ta bort nyckeln. Kända nycklar: serie, sammanstallt, utkast, amnen, internt, orphan.",
    ),
    "internal-mark": (
        "En sida eller fil verkar vara markerad som intern men markeringen är felstavad, felskriven eller "
        "oläslig; den behandlas som intern och kommer inte med på den publika webbplatsen.",
        "Skriv internt: true (eller internt: false) som en rad i front matter, med små bokstäver.",
    ),
    "internal-include": (
        "En intern fil tas in på en sida med include; på den publika webbplatsen tas den inte med.",
        "Ta bort include-raden eller flytta innehållet till ett internt-block.",
    ),
    "nesting-deep": (
        "Direktiv är nästlade för djupt (till exempel internt i internt i internt …); det innersta visas inte.",
        "Minska antalet nästlade block.",
    ),
    "email-pdf": (
        "E-postutgåvan ska ha rapportens PDF som bilaga, men PDF:en finns inte.",
        "Kör rapport bygg (den gör PDF:erna före e-postutgåvan) eller sätt rapport_email_attach_pdf = False.",
    ),
    "email-image": (
        "En bild i rapporten skickas inte med e-posten (utskicket har inga bilder).",
        "Inget behöver göras: e-posten visar bildtexten och länkar till rapporten. Skriv en bra bildtext.",
    ),
    "email-config": (
        "En e-postinställning ([epost] eller [smtp] i rapport.toml) är felaktig.",
        "Rätta inställningen som nämns i meddelandet.",
    ),
    "base-url": (
        "PDF:erna eller flödet byggs med den lokala förhandsadressen (http://127.0.0.1:8000/).",
        "Ange webbplatsens publicerade adress: make site RAPPORT_BASE_URL=https://… (eller html_baseurl i conf.py).",
    ),
    "correction-invalid": (
        "En rättelse (:::{rattelse}) har ett datum som inte går att läsa eller säger inte vad som gäller.",
        "Skriv :::{rattelse} ÅÅÅÅ-MM-DD och raderna :fel: (vad som stod) och :ratt: (vad som gäller).",
    ),
    "contact-missing": (
        "Kontaktuppgifter saknas: seriens kontakt (rapport_contact) eller kontaktvägen i tillgänglighetsredogörelsen.",
        "Fyll i [kontakt] eller [tillganglighetskontakt] i rapport.toml (namn, epost, telefon eller webbadress), eller i skrivbordets Inställningar.",
    ),
}


def located(node: nodes.Node) -> nodes.Node:
    """The node itself if it knows its line, else the nearest ancestor that does (the
    warning then names a line; a node a transform created often has none)."""
    current: nodes.Node | None = node
    while current is not None:
        if getattr(current, "line", None):
            return current
        current = current.parent
    return node


def warn(subtype: str, message: str, location: Any) -> None:
    """Emit one writer-facing warning.

    ``location`` is whatever Sphinx accepts: a node, a ``(docname, line)`` pair or a
    docname; it decides the ``fil.md:12:`` prefix the writer sees.
    """
    if subtype not in SUBTYPES:  # a programming error, caught by the test suite
        raise KeyError(f"unregistered warning subtype {subtype!r}")
    logger.warning(message, location=location, type="rapport", subtype=subtype)

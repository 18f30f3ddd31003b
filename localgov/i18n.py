"""The site's interface in English and Welsh: one message catalogue, with dates in each language.

Templates mark their words with Jinja's i18n extension (`{{ _("Search") }}`, `{% trans %}`), and code
with `translate(...)` calls; the English text is the message id, so an English page is exactly what
its template says. `CY` gives each message in Welsh, as GOV.UK Wales and Welsh Government write it.
The browser's postcode journey takes its words from `SCRIPT_MESSAGES`, passed to the page as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

LANGUAGES = ("en", "cy")
LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg"}

MONTHS_CY = ("Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi", "Hydref",
             "Tachwedd", "Rhagfyr")

# English message id -> Welsh. `%(name)s` parts are filled in after translation.
CY: dict[str, str] = {
    # The header, footer and phase banner
    "Skip to main content": "Neidio i’r prif gynnwys",
    "Menu": "Dewislen",
    "Services": "Gwasanaethau",
    "Councils A to Z": "Cynghorau A i Y",
    "Search": "Chwilio",
    "Site": "Gwefan",
    "Search this site": "Chwilio’r wefan hon",
    "Support links": "Dolenni cymorth",
    "Help": "Cymorth",
    "Privacy": "Preifatrwydd",
    "Cookies": "Cwcis",
    "Accessibility statement": "Datganiad hygyrchedd",
    "Contact": "Cysylltu â ni",
    "Terms and conditions": "Telerau ac amodau",
    "Sitemap": "Map o’r wefan",
    "All councils": "Pob cyngor",
    "Copyright and re-use": "Hawlfraint ac ailddefnyddio",
    "%(name)s brings together information about the services of every principal council in the UK.":
        "Mae %(name)s yn dod â gwybodaeth am wasanaethau pob prif gyngor yn y DU at ei gilydd.",
    "Postcode data: Office for National Statistics, licensed under the Open Government Licence v3.0; contains OS"
    " data © Crown copyright and database right, Royal Mail data © Royal Mail copyright and database right, and"
    " GeoPlace data © Local Government Information House Ltd copyright and database right.":
        "Data codau post: y Swyddfa Ystadegau Gwladol, wedi’u trwyddedu o dan y Drwydded Llywodraeth Agored v3.0;"
        " yn cynnwys data OS © Hawlfraint y Goron a hawl cronfa ddata, data’r Post Brenhinol © hawlfraint a hawl"
        " cronfa ddata’r Post Brenhinol, a data GeoPlace © hawlfraint a hawl cronfa ddata Local Government"
        " Information House Ltd.",
    'All content is available under the <a class="govuk-footer__link" href="https://www.nationalarchives.gov.uk/doc/'
    'open-government-licence/version/3/" rel="license">Open Government Licence v3.0</a>, except where otherwise'
    " stated":
        'Mae’r holl gynnwys ar gael o dan y <a class="govuk-footer__link" href="https://www.nationalarchives.gov.uk/'
        'doc/open-government-licence/version/3/" rel="license">Drwydded Llywodraeth Agored v3.0</a>, oni nodir'
        " yn wahanol",
    "This is a new service that brings together information from every UK council.":
        "Mae hwn yn wasanaeth newydd sy’n dod â gwybodaeth gan bob cyngor yn y DU at ei gilydd.",
    '<a class="govuk-link" href="%(url)s">Give feedback</a> to help us improve it.':
        '<a class="govuk-link" href="%(url)s">Rhowch adborth</a> i’n helpu i’w wella.',
    "Check anything important with your council.": "Gwiriwch unrhyw beth pwysig gyda’ch cyngor.",
    "Choose a language": "Dewis iaith",
    "Change the language to English": "Newid yr iaith i’r Saesneg",
    "Change the language to Welsh": "Newid yr iaith i’r Gymraeg",
    # Feedback
    "Leave this empty": "Gadewch hwn yn wag",
    "Help us improve this page": "Helpwch ni i wella’r dudalen hon",
    "Is this page useful?": "A yw’r dudalen hon yn ddefnyddiol?",
    "Yes": "Ydy",
    "this page is useful": "mae’r dudalen hon yn ddefnyddiol",
    "No": "Nac ydy",
    "this page is not useful": "nid yw’r dudalen hon yn ddefnyddiol",
    "Do not include personal information such as your name, address or account numbers.":
        "Peidiwch â chynnwys gwybodaeth bersonol fel eich enw, eich cyfeiriad neu rifau cyfrifon.",
    "What were you doing?": "Beth oeddech chi’n ei wneud?",
    "What went wrong?": "Beth aeth o’i le?",
    "Send": "Anfon",
    "Report a problem with this page": "Rhoi gwybod am broblem gyda’r dudalen hon",
    "the team who run this site": "y tîm sy’n rhedeg y wefan hon",
    '<a class="govuk-link" href="%(href)s">Report a problem with this page</a> by email to %(who)s.':
        '<a class="govuk-link" href="%(href)s">Rhowch wybod am broblem gyda’r dudalen hon</a> drwy e-bostio'
        " %(who)s.",
    '<a class="govuk-link" href="/contact/">Report a problem with this page</a>: our contact page says how.':
        '<a class="govuk-link" href="/contact/">Rhowch wybod am broblem gyda’r dudalen hon</a>: mae ein tudalen'
        " gysylltu yn dweud sut.",
    # Home, the A to Z and the postcode form
    "Home": "Hafan",
    "Find out how to use the services of your local council, wherever you live in the UK.":
        "Dysgwch sut i ddefnyddio gwasanaethau eich cyngor lleol, ble bynnag rydych chi’n byw yn y DU.",
    "Find your council": "Dod o hyd i’ch cyngor",
    "Enter your postcode to see the councils that serve your address and what each one does.":
        "Rhowch eich cod post i weld y cynghorau sy’n gwasanaethu eich cyfeiriad a beth mae pob un yn ei wneud.",
    'Or <a class="govuk-link" href="/councils/">choose your council from a list</a>.':
        'Neu <a class="govuk-link" href="/councils/">dewiswch eich cyngor o restr</a>.',
    "Enter your postcode": "Rhowch eich cod post",
    "For example, %(postcode)s": "Er enghraifft, %(postcode)s",
    "Every principal council in the UK.": "Pob prif gyngor yn y DU.",
    "Every principal council in the UK. Most addresses in England are served by one unitary council; some are"
    " served by a district council and a county council.":
        "Pob prif gyngor yn y DU. Mae un cyngor unedol yn gwasanaethu’r rhan fwyaf o gyfeiriadau yn Lloegr; mae"
        " cyngor dosbarth a chyngor sir yn gwasanaethu rhai.",
    "Find your council by postcode": "Dod o hyd i’ch cyngor drwy god post",
    "Choose your council": "Dewiswch eich cyngor",
    "Choose your council from a list": "Dewiswch eich cyngor o restr",
    "Councils from A to Z": "Cynghorau o A i Y",
    "Councils that provide %(page)s": "Cynghorau sy’n darparu %(page)s",
    # Page not found
    "Page not found": "Heb ddod o hyd i’r dudalen",
    "If you typed the web address, check it is correct.": "Os gwnaethoch deipio’r cyfeiriad gwe, gwiriwch ei fod yn"
    " gywir.",
    "If you pasted the web address, check you copied the entire address.":
        "Os gwnaethoch ludo’r cyfeiriad gwe, gwiriwch eich bod wedi copïo’r cyfeiriad cyfan.",
    'You can <a class="govuk-link" href="/search/">search for a service</a>, <a class="govuk-link" href="/#topics">'
    'browse services by topic</a> or <a class="govuk-link" href="/councils/">find your council</a>.':
        'Gallwch <a class="govuk-link" href="/search/">chwilio am wasanaeth</a>, <a class="govuk-link" href="/#topics">'
        'pori gwasanaethau fesul pwnc</a> neu <a class="govuk-link" href="/councils/">ddod o hyd i’ch cyngor</a>.',
    # Service pages
    "Contents": "Cynnwys",
    "Contact %(name)s": "Manylion cyswllt %(name)s",  # no "â": it would mutate the name
    "These contact details, links and notices for %(name)s are examples, not the council's own. Check them on the"
    ' <a class="govuk-link" href="%(website)s">%(name)s website</a>.':
        "Enghreifftiau yw’r manylion cyswllt, y dolenni a’r hysbysiadau hyn ar gyfer %(name)s, nid rhai’r cyngor ei"
        ' hun. Gwiriwch nhw ar <a class="govuk-link" href="%(website)s">wefan %(name)s</a>.',
    "Warning": "Rhybudd",
    "Website": "Gwefan",
    "Not published yet": "Heb ei gyhoeddi eto",
    "Phone": "Ffôn",
    "Email": "E-bost",
    "Address": "Cyfeiriad",
    "Opening hours": "Oriau agor",
    "Important": "Pwysig",
    "More about this on the service status page": "Rhagor am hyn ar y dudalen statws gwasanaethau",
    "Where this information comes from": "O ble daw’r wybodaeth hon",
    "Last updated %(day)s": "Diweddarwyd ddiwethaf %(day)s",
    "Last reviewed %(day)s": "Adolygwyd ddiwethaf %(day)s",
    "%(name)s provides this service for addresses in %(area)s.":
        "Mae %(name)s yn darparu’r gwasanaeth hwn ar gyfer cyfeiriadau yn ardal %(area)s.",
    'This page is only about %(name)s. <a class="govuk-link" href="%(href)s">Not your council? Find yours</a>.':
        'Mae’r dudalen hon am %(name)s yn unig. <a class="govuk-link" href="%(href)s">Nid eich cyngor chi?'
        " Dewch o hyd i’ch un chi</a>.",
    'This page is about %(name)s and the services it provides. <a class="govuk-link" href="%(href)s">Not your'
    " council? Find yours</a>.":
        'Mae’r dudalen hon am %(name)s a’r gwasanaethau mae’n eu darparu. <a class="govuk-link" href="%(href)s">Nid'
        " eich cyngor chi? Dewch o hyd i’ch un chi</a>.",
    'This page is about %(name)s. <a class="govuk-link" href="%(href)s">Not your council? Find yours</a>.':
        'Mae’r dudalen hon am %(name)s. <a class="govuk-link" href="%(href)s">Nid eich cyngor chi? Dewch o hyd i’ch'
        " un chi</a>.",
    "Help from %(name)s": "Cymorth: %(name)s",
    "%(name)s provides part of this service for addresses in %(area)s.":
        "Mae %(name)s yn darparu rhan o’r gwasanaeth hwn ar gyfer cyfeiriadau yn ardal %(area)s.",
    "%(name)s also provides part of this service.": "Mae %(name)s hefyd yn darparu rhan o’r gwasanaeth hwn.",
    # Topics and hubs
    '<a class="govuk-link" href="%(href)s">See this topic for all councils</a>.':
        '<a class="govuk-link" href="%(href)s">Gweld y pwnc hwn ar gyfer pob cyngor</a>.',
    "From %(by)s": "Darparwr: %(by)s",
    "from %(by)s": "darparwr: %(by)s",
    "Contact details, links and notices for %(name)s on this site are examples. Check them on the"
    ' <a class="govuk-link" href="%(website)s">%(name)s website</a>.':
        "Enghreifftiau yw’r manylion cyswllt, y dolenni a’r hysbysiadau ar gyfer %(name)s ar y wefan hon. Gwiriwch"
        ' nhw ar <a class="govuk-link" href="%(website)s">wefan %(name)s</a>.',
    "These are the services of %(name)s.": "Dyma wasanaethau %(name)s.",
    "Who does what": "Pwy sy’n gwneud beth",
    "Service": "Gwasanaeth",
    "Council": "Cyngor",
    "Services other organisations provide": "Gwasanaethau y mae sefydliadau eraill yn eu darparu",
    "For addresses in %(area)s, these services are provided, in whole or in part, by organisations that are not"
    " councils.":
        "Ar gyfer cyfeiriadau yn ardal %(area)s, mae sefydliadau nad ydynt yn gynghorau yn darparu’r gwasanaethau hyn,"
        " yn llawn neu’n rhannol.",
    "For addresses in %(area)s, these services are provided by organisations that are not councils.":
        "Ar gyfer cyfeiriadau yn ardal %(area)s, mae sefydliadau nad ydynt yn gynghorau yn darparu’r gwasanaethau hyn.",
    "partly by %(body)s": "darparwr rhan ohono: %(body)s",
    "by %(body)s": "darparwr: %(body)s",
    "Service status: disruptions and notices from %(name)s":
        "Statws gwasanaethau %(name)s: tarfu a hysbysiadau",
    "%(name)s provides council services for addresses in its area.":
        "Mae %(name)s yn darparu gwasanaethau cyngor ar gyfer cyfeiriadau yn ei ardal.",
    "%(name)s provides council services for addresses in its area. Other organisations provide some services"
    " there; this page says which.":
        "Mae %(name)s yn darparu gwasanaethau cyngor ar gyfer cyfeiriadau yn ei ardal. Mae sefydliadau eraill yn"
        " darparu rhai gwasanaethau yno; mae’r dudalen hon yn dweud pa rai.",
    "%(name)s provides all council services for addresses in its area.":
        "Mae %(name)s yn darparu holl wasanaethau’r cyngor ar gyfer cyfeiriadau yn ei ardal.",
    "Welsh principal council": "Prif gyngor yng Nghymru",
    "Wales": "Cymru",
    "County council": "Cyngor sir",
    "District council": "Cyngor dosbarth",
    "Unitary authority": "Awdurdod unedol",
    "Metropolitan borough council": "Cyngor bwrdeistref fetropolitan",
    "London borough": "Bwrdeistref yn Llundain",
    "Scottish council": "Cyngor yn yr Alban",
    "Northern Ireland district council": "Cyngor dosbarth yng Ngogledd Iwerddon",
    "England": "Lloegr",
    "Scotland": "Yr Alban",
    "Northern Ireland": "Gogledd Iwerddon",
    "In most of England this is a district, borough or city council service. Where there is one council for the"
    " whole area, that council provides it.":
        "Yn y rhan fwyaf o Loegr, gwasanaeth cyngor dosbarth, bwrdeistref neu ddinas yw hwn. Lle mae un cyngor ar"
        " gyfer yr ardal gyfan, y cyngor hwnnw sy’n ei ddarparu.",
    "In most of England this is a county council service. Where there is one council for the whole area, that"
    " council provides it.":
        "Yn y rhan fwyaf o Loegr, gwasanaeth cyngor sir yw hwn. Lle mae un cyngor ar gyfer yr ardal gyfan, y cyngor"
        " hwnnw sy’n ei ddarparu.",
    "Both county and district councils provide parts of this service. Where there is one council for the whole"
    " area, that council provides all of it.":
        "Mae cynghorau sir a chynghorau dosbarth yn darparu rhannau o’r gwasanaeth hwn. Lle mae un cyngor ar gyfer"
        " yr ardal gyfan, y cyngor hwnnw sy’n darparu’r cyfan ohono.",
    # Search
    "Search council services.": "Chwilio gwasanaethau cynghorau.",
    "Search for a council service": "Chwilio am wasanaeth cyngor",
    "result": "canlyniad",
    "results": "canlyniad",
    "and": "a",
    "or": "neu",
    "Showing pages for %(names)s.": "Yn dangos tudalennau ar gyfer %(names)s.",
    'No pages have %(words)s. Showing results for <a class="govuk-link" href="%(href)s">%(searched)s</a> instead.':
        'Does dim tudalennau’n cynnwys %(words)s. Yn dangos canlyniadau ar gyfer <a class="govuk-link"'
        ' href="%(href)s">%(searched)s</a> yn lle hynny.',
    "Services, contact details and who does what in this council's area.":
        "Gwasanaethau, manylion cyswllt a phwy sy’n gwneud beth yn ardal y cyngor hwn.",
    'Also from <a class="govuk-link" href="%(href)s">%(name)s</a>': 'Hefyd: <a class="govuk-link"'
    ' href="%(href)s">%(name)s</a>',
    '<a class="govuk-link" href="%(href)s">find your council</a>': '<a class="govuk-link" href="%(href)s">dewch o'
    " hyd i’ch cyngor</a>",
    "No pages on this site have %(words)s.": "Does dim tudalennau ar y wefan hon yn cynnwys %(words)s.",
    "There are no matching pages.": "Does dim tudalennau sy’n cyfateb.",
    "Did you mean": "Oeddech chi’n golygu",
    'You can <a class="govuk-link" href="%(href)s">search for &lsquo;%(rest)s&rsquo;</a> instead.':
        'Gallwch <a class="govuk-link" href="%(href)s">chwilio am &lsquo;%(rest)s&rsquo;</a> yn lle hynny.',
    '%(name)s may have what you are looking for on <a class="govuk-link" href="%(website)s">its own website</a>.':
        'Efallai bod yr hyn rydych chi’n chwilio amdano ar <a class="govuk-link" href="%(website)s">wefan'
        " %(name)s</a>.",
    "Improve your search results by:": "Gwella eich canlyniadau chwilio drwy:",
    "checking your spelling": "wirio eich sillafu",
    "using fewer or different words": "ddefnyddio llai o eiriau neu eiriau gwahanol",
    'browsing <a class="govuk-link" href="/#topics">services by topic</a> or <a class="govuk-link" href="/councils/">'
    "finding your council</a>":
        'bori <a class="govuk-link" href="/#topics">gwasanaethau fesul pwnc</a> neu <a class="govuk-link"'
        ' href="/councils/">ddod o hyd i’ch cyngor</a>',
    'Search needs JavaScript on this site. You can <a class="govuk-link" href="/#topics">browse services by topic</a>'
    ' or <a class="govuk-link" href="/councils/">find your council</a> instead.':
        'Mae angen JavaScript i chwilio ar y wefan hon. Gallwch <a class="govuk-link" href="/#topics">bori gwasanaethau'
        ' fesul pwnc</a> neu <a class="govuk-link" href="/councils/">ddod o hyd i’ch cyngor</a> yn lle hynny.',
    "District, borough or city council service": "Gwasanaeth cyngor dosbarth, bwrdeistref neu ddinas",
    "County council service": "Gwasanaeth cyngor sir",
    "County and district council service": "Gwasanaeth cyngor sir a chyngor dosbarth",
    # Service status
    "Service status": "Statws gwasanaethau",
    "Service status: %(name)s": "Statws gwasanaethau: %(name)s",
    "Current emergencies, disruptions and notices for council services.":
        "Argyfyngau, tarfu a hysbysiadau cyfredol ar gyfer gwasanaethau cynghorau.",
    "Current disruptions and notices from %(name)s.": "Tarfu a hysbysiadau cyfredol ar gyfer %(name)s.",
    "From %(start)s to %(end)s": "O %(start)s i %(end)s",
    '<a class="govuk-link" href="%(href)s">%(name)s</a>': '<a class="govuk-link" href="%(href)s">%(name)s</a>',
    'from <a class="govuk-link" href="%(href)s">%(name)s</a>': 'gan <a class="govuk-link" href="%(href)s">%(name)s</a>',
    "Current disruptions to services and notices from %(name)s.":
        "Tarfu cyfredol ar wasanaethau a hysbysiadau ar gyfer %(name)s.",
    "Current emergencies, disruptions and notices for council services across the UK.":
        "Argyfyngau, tarfu a hysbysiadau cyfredol ar gyfer gwasanaethau cynghorau ledled y DU.",
    "%(name)s has no disruptions or notices today.": "Nid oes tarfu na hysbysiadau ar gyfer %(name)s heddiw.",
    "There are no national disruptions or notices today.": "Does dim tarfu na hysbysiadau cenedlaethol heddiw.",
    "From councils": "Gan gynghorau",
    "No council has a disruption or notice today.": "Does gan yr un cyngor darfu na hysbysiad heddiw.",
    'National emergencies are on the <a class="govuk-link" href="/service-status/">service status page for the whole'
    " UK</a>.":
        'Mae argyfyngau cenedlaethol ar y <a class="govuk-link" href="/service-status/">dudalen statws gwasanaethau ar'
        " gyfer y DU gyfan</a>.",
    "Get updates": "Cael diweddariadau",
    "Subscribe to these updates in a feed reader or an app:":
        "Tanysgrifiwch i’r diweddariadau hyn mewn darllenydd ffrydiau neu ap:",
    "Notice": "Hysbysiad",
    "Local emergency": "Argyfwng lleol",
    "National emergency": "Argyfwng cenedlaethol",
    "Notable death": "Marwolaeth nodedig",
    "Atom feed": "Ffrwd Atom",
    "JSON Feed": "Ffrwd JSON",
    "%(title)s (Atom)": "%(title)s (ffrwd Atom)",
    "%(title)s (JSON Feed)": "%(title)s (ffrwd JSON)",
    # What content says where a council's data is missing (localgov/sandbox.py)
    "the %(name)s website": "wefan %(name)s",  # always after "ar", which mutates "gwefan"
    "the %(name)s page on this site": "dudalen %(name)s ar y wefan hon",
    "the number given on the %(link)s": "y rhif a roddir ar %(link)s",
    "the contact details on the %(link)s": "y manylion cyswllt ar %(link)s",
    "the address given on the %(link)s": "y cyfeiriad a roddir ar %(link)s",
    "the opening hours given on the %(link)s": "yr oriau agor a roddir ar %(link)s",
    " on the %(name)s website": " ar wefan %(name)s",
    "Find out more": "Rhagor o wybodaeth",
    "%(label)s on the %(link)s": "%(label)s ar %(link)s",
    "your council": "eich cyngor",
    "your council’s website": "wefan eich cyngor",
    "the number on %(link)s": "y rhif ar %(link)s",
    "the contact details on %(link)s": "y manylion cyswllt ar %(link)s",
    "the address on %(link)s": "y cyfeiriad ar %(link)s",
    "the opening hours on %(link)s": "yr oriau agor ar %(link)s",
    ": find your council first": ": dewch o hyd i’ch cyngor yn gyntaf",
    # A page not yet in Welsh
    "This page is not available in Welsh yet": "Nid yw’r dudalen hon ar gael yn Gymraeg eto",
    "We have not translated this page into Welsh yet. You can read it in English.":
        "Nid ydym wedi cyfieithu’r dudalen hon i’r Gymraeg eto. Gallwch ei darllen yn Saesneg.",
    "Read this page in English": "Darllen y dudalen hon yn Saesneg",
}

# What the browser says on the postcode journey (templates/static/localgov.js, its `t()` calls): English -> Welsh.
SCRIPT_MESSAGES: dict[str, str] = {
    "Enter a postcode": "Rhowch god post",
    "Enter a real postcode": "Rhowch god post go iawn",
    "Error": "Gwall",
    "There is a problem": "Mae yna broblem",
    "Important": "Pwysig",
    "A to Z of councils": "rhestr A i Y o gynghorau",
    "We could not find %(postcode)s": "Nid oeddem yn gallu dod o hyd i %(postcode)s",
    "Check the postcode and try again, or find your council in the":
        "Gwiriwch y cod post a rhowch gynnig arall arni, neu dewch o hyd i’ch cyngor yn y",
    "%(postcode)s is no longer in use": "Nid yw %(postcode)s yn cael ei ddefnyddio mwyach",
    "Check the postcode on a recent letter or bill and try again.":
        "Gwiriwch y cod post ar lythyr neu fil diweddar a rhowch gynnig arall arni.",
    "You can also go to the": "Gallwch hefyd fynd i’r",
    "page for the area it used to be in": "dudalen ar gyfer yr ardal yr oedd ynddi o’r blaen",
    "or find your council in the": "neu ddod o hyd i’ch cyngor yn y",
    "%(postcode)s is not in any council's area": "Nid yw %(postcode)s yn ardal unrhyw gyngor",
    "The postcode directory does not link this postcode to a council. Find your council in the":
        "Nid yw’r cyfeiriadur codau post yn cysylltu’r cod post hwn â chyngor. Dewch o hyd i’ch cyngor yn y",
    "%(names)s provide this service in your area": "Mae %(names)s yn darparu’r gwasanaeth hwn yn eich ardal",
    "%(names)s provides this service in your area": "Mae %(names)s yn darparu’r gwasanaeth hwn yn eich ardal",
    "and": "a",
    "Councils in your area do not provide this service": "Nid yw cynghorau yn eich ardal yn darparu’r gwasanaeth hwn",
    "Find out": "Dysgwch",
    "what your councils do": "beth mae eich cynghorau’n ei wneud",
    "Sorry, we could not look up your postcode": "Mae’n ddrwg gennym, nid oeddem yn gallu chwilio am eich cod post",
    "Check your internet connection and try again, or find your council in the":
        "Gwiriwch eich cysylltiad â’r rhyngrwyd a rhowch gynnig arall arni, neu dewch o hyd i’ch cyngor yn y",
    "Guernsey": "Ynys y Garn",
    "the Isle of Man": "Ynys Manaw",
    "%(postcode)s is in %(place)s": "Mae %(postcode)s yn %(place)s",
    "%(place)s is not part of the UK and has no UK council, so this site has no pages for it.":
        "Nid yw %(place)s yn rhan o’r DU ac nid oes ganddi gyngor yn y DU, felly nid oes gan y wefan hon dudalennau ar"
        " ei chyfer.",
    "If your address is in England, Scotland, Wales or Northern Ireland, check the postcode or find your council in"
    " the": "Os yw eich cyfeiriad yng Nghymru, Lloegr, yr Alban neu Ogledd Iwerddon, gwiriwch y cod post neu dewch o"
    " hyd i’ch cyngor yn y",
    # The search page (templates/static/search.js)
    "Provided by your district, borough, city or unitary council":
        "Yn cael ei ddarparu gan eich cyngor dosbarth, bwrdeistref, dinas neu unedol",
    "Provided by your county or unitary council": "Yn cael ei ddarparu gan eich cyngor sir neu unedol",
    "Provided by your county and district councils, or your unitary council":
        "Yn cael ei ddarparu gan eich cynghorau sir a dosbarth, neu eich cyngor unedol",
    "Search results pages": "Tudalennau canlyniadau chwilio",
    "page": "tudalen",
    "Previous": "Blaenorol",
    "Next": "Nesaf",
    "Page %(number)s": "Tudalen %(number)s",
    "Also from": "Hefyd:",
    "find your council": "dewch o hyd i’ch cyngor",
    "Showing pages for %(names)s.": "Yn dangos tudalennau ar gyfer %(names)s.",
    "Search pages for every council": "Chwilio tudalennau pob cyngor",
    "No pages have": "Does dim tudalennau’n cynnwys",
    "Showing results for": "Yn dangos canlyniadau ar gyfer",
    "instead": "yn lle hynny",
    "or": "neu",
    "No pages on this site have": "Does dim tudalennau ar y wefan hon yn cynnwys",
    "There are no matching pages.": "Does dim tudalennau sy’n cyfateb.",
    "Did you mean": "Oeddech chi’n golygu",
    "You can": "Gallwch",
    "search for \u2018%(rest)s\u2019": "chwilio am \u2018%(rest)s\u2019",
    "%(name)s may have what you are looking for on":
        "Efallai bod yr hyn rydych chi’n chwilio amdano (%(name)s) ar",
    "its own website": "ei wefan",
    "Improve your search results by:": "Gwella eich canlyniadau chwilio drwy:",
    "checking your spelling": "wirio eich sillafu",
    "using fewer or different words": "ddefnyddio llai o eiriau neu eiriau gwahanol",
    "browsing": "bori",
    "services by topic": "gwasanaethau fesul pwnc",
    "finding your council": "ddod o hyd i’ch cyngor",
    "result": "canlyniad",
    "results": "canlyniad",
    "Services, contact details and who does what in this council's area.":
        "Gwasanaethau, manylion cyswllt a phwy sy’n gwneud beth yn ardal y cyngor hwn.",
    "Search is not working at the moment. You can": "Nid yw’r chwilio’n gweithio ar hyn o bryd. Gallwch",
    "browse services by topic": "bori gwasanaethau fesul pwnc",
    "Searching\u2026": "Yn chwilio\u2026",
    "Search results for \u201c%(typed)s\u201d": "Canlyniadau chwilio am \u201c%(typed)s\u201d",
}
CY.update(SCRIPT_MESSAGES)
CY.update({
    "%(name)s website": "Gwefan %(name)s",
    # What kind of body provides a service (BODY_KINDS in localgov/model.py).
    "Government department": "Adran o’r llywodraeth",
    "Public body": "Corff cyhoeddus",
    "Valuation joint board": "Cyd-fwrdd prisio",
    "Assessor": "Asesydd",
    "Combined authority": "Awdurdod cyfun",
    "Waste disposal authority": "Awdurdod gwaredu gwastraff",
    "Transport authority": "Awdurdod trafnidiaeth",
    "Health and social care trust": "Ymddiriedolaeth iechyd a gofal cymdeithasol",
    "Housing association": "Cymdeithas dai",
    "National park authority": "Awdurdod parc cenedlaethol",
})

CATALOGUES: dict[str, dict[str, str]] = {"en": {}, "cy": CY}


def translate(message: str, lang: str, **parts: object) -> str:
    """Return `message` in `lang` (English when the catalogue lacks it), with its `%(name)s` parts filled in."""
    text = CATALOGUES.get(lang, {}).get(message, message)
    return text % parts if parts else text


def and_list(names: list[str], lang: str = "en") -> str:
    """Join names as a sentence does: "A, B and C", in Welsh "A, B a C" ("ac" before a vowel)."""
    if len(names) < 2:
        return "".join(names)
    last = names[-1]
    joiner = " and "
    if lang == "cy":
        joiner = " ac " if last[:1].lower() in "aeiouwy" else " a "
    return ", ".join(names[:-1]) + joiner + last


def gettext_for(lang: str) -> Callable[[str], str]:
    """Return the `gettext` of one language, for Jinja's i18n extension."""
    table = CATALOGUES.get(lang, {})
    return lambda message: table.get(message, message)


def ngettext_for(lang: str) -> Callable[[str, str, int], str]:
    """Return the `ngettext` of one language: Welsh uses the singular noun after a number."""
    table = CATALOGUES.get(lang, {})

    def ngettext(singular: str, plural: str, count: int) -> str:
        chosen = singular if count == 1 else plural
        return table.get(chosen, chosen)

    return ngettext


def long_date(day: dt.date, lang: str = "en") -> str:
    """Return a date as GOV.UK writes it: 27 November 2026, or in Welsh 27 Tachwedd 2026."""
    if lang == "cy":
        return f"{day.day} {MONTHS_CY[day.month - 1]} {day.year}"
    return f"{day.day} {day:%B %Y}"


def number(value: int, lang: str = "en") -> str:
    """Return a whole number with thousands separated by commas, as both languages write them: 12,345."""
    return f"{value:,}"


def script_messages(lang: str, councils: tuple[str, ...] = ()) -> str:
    """Return the browser's messages in `lang` as JSON, for the `data-lg-messages` attribute of a page's body.

    `councils` are the councils with pages in `lang`, under "@councils": the postcode journey leads there.
    """
    table: dict[str, object] = {text: translate(text, lang) for text in SCRIPT_MESSAGES}
    table["@councils"] = list(councils)
    return json.dumps(table, ensure_ascii=False, sort_keys=True)

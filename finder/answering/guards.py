"""Questions the finder declines before retrieval: instructions aimed at the system, personal benefits,
and tasks that are not finding funding. Retrieved text is never checked here: it is data, not a request."""

from __future__ import annotations

import re

from finder.catalog.vocab import RefusalKind

INJECTION = re.compile(
    r"ignore (all |any )?(the )?(previous|prior|above) (instructions|prompts?)|system prompt|hidden (config|prompt)|"
    r"reveal (your|the) (config|prompt|instructions|settings|api key)|api[_ ]key|jailbreak|developer mode|"
    r"print (your|the) (prompt|configuration)|environment variables?",
    re.I,
)
PERSONAL = re.compile(
    r"\b(my|our family'?s?) (personal |own )?(rent|mortgage|bills?|tuition|car|car payment|medical|debt|credit card|"
    r"house|home|roof|apartment|paycheck|groceries|taxes|tax return|child ?care|insurance|health insurance)\b|"
    r"\bpersonal (rent|loan|debt|bills?)\b|\bfor me personally\b|\b(pay|cover) (them|it|this|that) for me\b|"
    r"\b(my|our family'?s?|our household'?s?) (own |personal )?(water|electric(ity)?|power|gas|heating|phone|"
    r"cell ?phone|internet|cable|utility|sewer|trash|medical|hospital)( and [\w ]{1,20})? bills?\b|"
    r"\b(i|we) (lost|lose) (my|our) (job|jobs|health insurance|insurance|home)\b|\bi'?m (unemployed|out of work)\b|"
    r"\b(food stamps|snap benefits|wic\b|unemployment (benefits|insurance|check)|social security|medicaid|medicare|"
    r"disability benefits|stimulus check|student loans?|baby formula|diapers|marketplace (health )?plan|"
    r"health (insurance )?plan)\b|\bfor my (newborn|baby|kids|children|family|husband|wife)\b|"
    r"\bmy (daughter|son|kids?|children|husband|wife|spouse|mother|father|mom|dad|family|grand\w+)\b[^.?!]{0,60}"
    r"\b(pay|afford|grant|help|college|tuition|school|loan|money|bills?)|"
    r"\b(i|we) (can'?t|cannot|couldn'?t) (afford|pay) (my|our|the) (own )?(rent|mortgage|propane|heating|fuel|bills?|"
    r"groceries|medicine|car|insurance|tuition|loan)\b|\b(my|our family'?s?) (propane|heating oil|fuel oil)\b|"
    r"\b(behind on|catch up on) (my|our|the) (rent|mortgage|bills?|payments?)\b[^.?!]{0,60}\b(family|my|me|us)\b|"
    r"\b(our family|my family|my household)\b",
    re.I,
)
BUSINESS = re.compile(
    r"\b(hedge funds?|private equity|venture (capital|funds?|firms?|investors?)|angel investors?|vc firms?|"
    r"seed round|series a|crowdfunding|"
    r"(which (investors?|banks?|lenders?)|(best|cheapest) (lenders?|banks?)|which bank|best (loan |interest )?rates?)"
    r"(?![^.?!]{0,80}\b(guarantee|usda|federal|revolving|rural development|wifia|tifia|srf))|"
    r"investors? (should|to|do) (i|we) pitch|pitch (to )?investors|sba 7\s?\(a\)|sba loan)\b|"
    r"\b(my|our) (family'?s |own )?(startup|start-up|small business|business|company|store|shop|restaurant|firm|"
    r"franchise|hardware store|brewery|bakery|salon|food truck|practice|shop|restaurant|farm business|dealership|"
    r"taproom|cafe|motel|hotel)\b[^.?!]{0,80}\b(loan|invest|financ|capital|line of credit|expand|payroll|grow|open)",
    re.I,
)
# Countries and foreign regions whose names are not also common U.S. place names (no Georgia, Jordan, Lebanon,
# Peru, Cuba, China, Poland, Panama, Denmark, Norway, Holland, Wales, Turkey, Jamaica, Paris, Dublin) and no
# adjectives that name U.S. places too (the French Quarter, the Canadian River, Pennsylvania Dutch).
_COUNTRIES = ("afghanistan|albania|algeria|argentina|armenia|austria|azerbaijan|bangladesh|belarus|belgium|bolivia|"
              "bosnia|botswana|bulgaria|cambodia|cameroon|colombia|costa rica|croatia|czech republic|ecuador|egypt|"
              "el salvador|estonia|ethiopia|finland|ghana|greece|guatemala|haiti|honduras|hungary|iceland|"
              "indonesia|iran|iraq|ireland|kazakhstan|south korea|north korea|kosovo|laos|latvia|lithuania|"
              "luxembourg|madagascar|malawi|malaysia|mongolia|morocco|mozambique|myanmar|namibia|nepal|netherlands|"
              "new zealand|nicaragua|portugal|romania|russia|rwanda|saudi arabia|senegal|serbia|singapore|slovakia|"
              "slovenia|somalia|south africa|sri lanka|sudan|sweden|switzerland|syria|taiwan|tanzania|thailand|"
              "tunisia|türkiye|uganda|uruguay|uzbekistan|venezuela|vietnam|yemen|zambia|zimbabwe|"
              "canada|germany|bavaria|france|england|scotland|united kingdom|great britain|european union|\\beu\\b|"
              "europe|india|japan|australia|brazil|philippines|kenya|italy|spain|nigeria|pakistan|ukraine|israel|"
              "nova scotia|new brunswick|newfoundland|saskatchewan|yukon|ontario|quebec|alberta|manitoba|"
              "british columbia|ottawa|toronto|vancouver|montreal|bundesland|prefecture|world bank|connecting europe|"
              "\\buk\\b|u\\.k\\.|(british|german|french|canadian|mexican|japanese|chinese|indian|irish|italian|"
              "spanish|korean|australian) government|foreign (government|aid|country|countries)")
ABROAD = re.compile(rf"\b({_COUNTRIES})\b|(?<!new )\bmexico\b(?! city)", re.I)
OPINION = re.compile(
    r"\b(political part(y|ies)|which party|democrats?|republicans?|gop|campaign (mailer|slogan|ad|speech|flyer)|"
    r"(re)?election (mailer|flyer|ad|campaign)|mailer|vote for|reelection|talking points|deserves? (the )?credit|"
    r"your (opinion|view)|do you think|waste of (taxpayer )?money|my opponent|(is|was) the president|partisan|"
    r"socialism|bash(ing)? the|who should win|(mayoral|governor'?s?|senate|house|city council) (race|election)|"
    r"good (leader|job)|(blast|bash|attack|slam)\w* (the |our |my )?(senator|governor|mayor|president|congressman|"
    r"congresswoman|representative|opponent|party|commissioner|council ?member)|attack (lines?|ads?)|tweet|slogan|"
    r"op-?ed)\b",
    re.I,
)
VENDOR = re.compile(
    r"\b(which|best|most reliable|cheapest|top-rated|recommend( a| an| the)?|pick( a| the)?|choose( a| the)?)"
    r"\s+([\w-]+\s+){0,3}(brand|vendor|manufacturer|make|model|contractor|consultant|consulting firm|engineering firm|"
    r"grant ?writer|supplier|dealer|insurance (carrier|company|companies|provider)|insurer|law firm|lawyer|"
    r"attorney)s?\b|\bjust pick one\b|\bpick (one )?for (us|me)\b|\bchoose for (us|me)\b|"
    r"\b(most (dependable|reliable|durable)|best|top) (brand|make|model)s?\b|\bbrand of [\w ]{1,30}\b(best|should|"
    r"buy|pick)|"
    r"\b(ford|chevy|chevrolet|blue bird|thomas built|lion electric|proterra|gillig|new flyer|tesla)\b"
    r"[^.?!]{0,40}\bor\b",
    re.I,
)
CONTACT = re.compile(
    r"\b(personal|private|home|cell|mobile)\s+(cell\s+|phone\s+)?(phone|number|email|e-mail|address|contact|"
    r"social media)\b|\b(cell|phone|mobile) number of\b|\bwhere (does|do) (the|our|that|this) [\w ]{1,40} live\b",
    re.I,
)
# Requests for a task that is not finding funding, however infrastructure-flavoured ("a poem about bridges").
OFF_TASK = re.compile(
    r"\b(write|compose|make up|tell|sing|give)\s+(me\s+|us\s+)?(a|an|some)\s+(short\s+|funny\s+|little\s+|quick\s+)?"
    r"(poem|song|story|stories|joke|haiku|limerick|rap|essay|novel|riddle)s?\b|"
    r"\btranslate\b|\bsummari[sz]e (this|the following|the plot)\b|\bcover letter\b|\b(my|a) r[eé]sum[eé]\b|\brecipe\b|"
    r"\bhomework\b|\bweather (today|tomorrow|forecast)\b|\b(what'?s|what is|how'?s|how is|will) the weather\b|"
    r"\bweather (is |be )?(going to be|be like|like (today|tomorrow|this|next|on))\b|\bforecast for (today|tomorrow|"
    r"this|next|our)\b",
    re.I,
)
# Drafting for the asker: "write our grant narrative", "draft a letter of support".
WRITING = re.compile(
    r"\b(write|draft|compose|ghostwrite)\s+(me\s+|us\s+)?(up\s+)?(a|an|our|the|my|this|some)\s+([\w-]+\s+){0,2}"
    r"(narrative|application|proposal|letter|essay|press release|speech|budget justification|abstract|"
    r"project description|statement of need|work plan|cover letter|email|memo|resolution|talking points)s?\b|"
    r"\bfill (out|in) (the|our|this|my) [\w -]{0,30}(application|form)s? for (us|me)\b",
    re.I,
)
US_PLACE = re.compile(r"\b(new mexico|united states|u\.s\.|usa|america|american samoa|puerto rico|guam)\b", re.I)


def off_limits(text: str, state: str | None = None) -> RefusalKind | None:
    """The refusal a question calls for by rule, before any search, or None. `state` is a U.S. state or
    territory the question names: a town abroad is only abroad when no U.S. place is named."""
    if INJECTION.search(text):
        return RefusalKind.INJECTION
    for rx, kind in ((BUSINESS, RefusalKind.BUSINESS), (PERSONAL, RefusalKind.PERSONAL),
                     (CONTACT, RefusalKind.CONTACT), (OPINION, RefusalKind.OPINION), (VENDOR, RefusalKind.VENDOR),
                     (OFF_TASK, RefusalKind.OFF_TASK), (WRITING, RefusalKind.WRITING)):
        if rx.search(text):
            return kind
    if ABROAD.search(text) and state is None and not US_PLACE.search(text):
        return RefusalKind.ABROAD
    return None

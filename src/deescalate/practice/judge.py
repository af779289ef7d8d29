"""Judging a trainee's own words by what they do, not by how like a script they are.

A typed reply is read for named qualities that de-escalation coaches agree on: some
calm a customer (acknowledging the feeling, apologising, an open question, saying what
happens next and when, thanks), some heat them (telling them to calm down, blame or a
lecture, policy before listening, promises nobody can keep). Each quality is a few
phrase patterns, stated once in `QUALITIES`; a judgement names the words that triggered
it, so a trainee can see why a reply was rated as it was. How well the patterns do is
measured on a labelled set of replies in the tests (`tests/judged_replies.yaml`).

Rules, not a model: they need no download, run in microseconds and explain themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

GOOD, BAD = "good", "bad"

_WEEKDAY = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_NUMBER = r"\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|" \
          r"thirty|forty[- ]eight|a few|a couple of"
_UNIT = r"minutes?|mins?|hours?|days?|working days?|business days?|weeks?"
_FEELING_WORDS = (r"frustrat\w*|annoy\w*|upset\w*|stress\w*|worr\w*|madden\w*|infuriat\w*|"
                  r"exhaust\w*|disappoint\w*|inconvenien\w*|unfair|awful|hard|difficult|"
                  r"a pain|a nuisance|a hassle|a worry|horrible|rotten|maddening|a shock|"
                  r"rubbish|a lot to deal with|not good enough|not on|not what you expected|"
                  r"not okay|not ok|infuriating|galling|upsetting|confusing|irritating")


@dataclass(frozen=True)
class Quality:
    """One thing a reply can do, good or bad, and the phrases that show it."""

    id: str
    does: str  # what the reply did, for feedback: "acknowledged the feeling"
    kind: str  # GOOD or BAD
    patterns: tuple[str, ...]
    unless: tuple[str, ...] = ()  # phrases that, where one of the patterns matched, undo it

    def found(self, text: str) -> str | None:
        """The words of `text` that show this quality, or None."""
        for pattern in self.patterns:
            for match in re.finditer(pattern, text):
                around = text[max(0, match.start() - 40):match.end() + 40]
                if any(re.search(undo, around) for undo in self.unless):
                    continue
                return match.group(0).strip(" ,.")
        return None


# The one statement of the qualities a typed reply is judged by, calming ones first.
QUALITIES: tuple[Quality, ...] = (
    Quality("acknowledge", "acknowledged the feeling", GOOD, (
        r"\bi (?:completely |totally |really |can |do |fully |absolutely )?"
        r"(?:understand|get it|get that|get why|get how|see why|see how|see that|"
        r"hear you|hear that|hear how|hear what you|appreciate how|appreciate that this)\b",
        rf"\b(?:that|this|it|which) (?:must|would|could|can)(?:n't)? (?:have )?(?:be|been|feel|"
        rf"sound)(?: \w+){{0,3}}? (?:{_FEELING_WORDS}|a shock|tough|galling|the last straw)\b",
        r"\b(?:that|this|it|which) (?:must|would|will|can|could) (?:make anyone|drive anyone|"
        r"get anyone|annoy anyone|upset anyone|frustrate anyone|worry anyone)\b",
        rf"\b(?:that|this|it|which|waiting)(?:'s| is| sounds| was| has been| seems| feels)"
        rf"(?: (?:so|really|very|incredibly|genuinely|understandably|completely|pretty|"
        rf"such|like|a real|a|an|properly|truly|deeply|hugely|massively|beyond|more than))*"
        rf" (?:{_FEELING_WORDS})",
        r"\bno wonder\b",
        rf"(?:^|[.!?]\s*)(?:what a (?:hassle|pain|nuisance|worry|mess|shame)|"
        rf"how (?:{_FEELING_WORDS}))\b",
        r"\b(?:i'd|i would|anyone would|anybody would|anyone'd|i'd have|i would have)"
        r" (?:be|feel|have been|be just as)(?: \w+)? (?:annoyed|upset|angry|frustrated|cross|"
        r"furious|fed up|worried|livid|the same|disappointed)\b",
        r"\byou(?:'re| are| sound| must be| seem| must feel| feel| were| have every right to"
        r" be| have a right to be| 've every right to be)(?: (?:really|so|very|understandably|"
        r"clearly|rightly|quite|pretty|completely))? (?:frustrated|upset|angry|annoyed|worried|"
        r"fed up|disappointed|cross|stressed|let down|anxious|furious|concerned|tired|sick|"
        r"exhausted)\b",
        r"\bsorry (?:to hear|you(?:'ve| have|'re| are| had| were)|that you|for (?:the|all the)"
        r" (?:worry|stress|hassle|trouble you))\b",
        r"\b(?:that |it )?makes (?:complete |total |perfect )?sense\b",
        r"\bi can (?:only )?imagine\b",
        r"\bi know (?:how|what|that(?:'s| is| must)|this is|it's|it must)\b",
        r"\bright to be (?:annoyed|upset|angry|frustrated|cross|worried)\b",
        r"\bof course you(?:'re| are)\b",
        r"\bthat(?:'s| is) (?:a fair|a reasonable|a real) (?:point|worry|concern)\b",
        r"\bi(?:'d| would) feel the same\b",
        r"\bi hear (?:the|your|how)\b",
        r"\bthat(?:'s| is) not (?:the experience|what) (?:you|anyone) (?:should|deserve)",
    ), unless=(r"\bi (?:don't|do not|can't|cannot) (?:understand|see why|get why)",)),
    Quality("apologise", "apologised", GOOD, (
        r"\b(?:i'm|i am|we're|we are)(?: (?:so|really|very|truly|terribly|deeply|genuinely|"
        r"awfully|incredibly))? sorry\b(?! to hear| you| that you| if you| for your loss)",
        r"\b(?:i|we) (?:do |sincerely |truly |really )?apologi[sz]e\b",
        r"\b(?:my|our|sincere|many) apologies\b",
        r"(?:^|[.!?]\s+)apologies\b",
        r"\b(?:i|we) (?:really |truly |genuinely |do )?(?:am|are) (?:so |really |truly )?sorry\b"
        r"(?! to hear| you| that you| if you)",
        r"\bapologies for\b",
        r"(?:^|[.!?]\s+)sorry\b(?! to hear| you| that you| if you)",
        r"\bsorry (?:about|for) (?:that|this|the|our|all|not|my)\b",
    )),
    Quality("open-question", "asked an open question", GOOD, (
        r"(?:^|[.!?,;]\s*|\b(?:and|so|okay|ok|right|alright|now)\s+)"
        r"(?:what|how|when|where|which|who)\b(?!'?s? (?:is |was )?(?:your|the) (?:order|"
        r"account|reference|ref|name|number|postcode|email|address|phone|card|date)\b)"
        r"[^.!?]*\?",
        r"\b(?:can|could|would) you (?:tell|walk|talk|take) me (?:through|about|more|what|how|"
        r"when|where)\b[^.!?]*",
        r"\btell me (?:a bit |a little )?more\b",
        r"(?:^|[.!?,;]\s*)(?:please )?(?:tell|walk|talk|take) me (?:through|about|more|what|"
        r"how|when|where)\b[^.!?]*",
        r"\bwhat (?:would|could|can|will|do) (?:you|we|i)\b[^.!?]*\?",
        r"\b(?:would|could|can) you (?:describe|explain)\b",
        r"\bin your own words\b",
    ), unless=(r"\bhow (?:could|can|dare) you\b", r"\bwhat (?:do you expect|did you expect)\b",
               r"\bwhat (?:part of|is wrong with you)", r"\bhow many times\b",
               r"\bwho do you think\b")),
    Quality("next-step", "said what happens next and when", GOOD, (
        rf"\b(?:i'll|i will|i'm going to|i am going to|we'll|we will|we're going to|"
        rf"you'll (?:get|receive|see|have|hear|be)|you will (?:get|receive|see|have|hear|be)|"
        rf"it'll|it will|that'll|that will|(?:the|a|your) (?:refund|replacement|engineer|"
        rf"courier|email|text|letter|credit|repair|parcel|money|payment|new one|driver|"
        rf"technician|callback|call back) (?:will|should|is going to)|"
        rf"next,? i|the next step|my next step|i've (?:booked|arranged|sent|set up)|"
        rf"i'm (?:booking|arranging|sending|setting up|putting through)|let me (?:book|arrange|"
        rf"send|put through|process|do|sort|check|look|call|ring))\b[^.!?]*?\b(?:today|"
        rf"tonight|tomorrow|this (?:morning|afternoon|evening|week|weekend)|"
        rf"next (?:week|{_WEEKDAY})|by (?:{_WEEKDAY}|the end of|end of|tomorrow|noon|"
        rf"midday|\d|five|close|tonight|lunchtime|the \d+)|"
        rf"within (?:the next )?(?:{_NUMBER})? ?(?:{_UNIT})|within (?:the|an) hour|"
        rf"in (?:the next )?(?:{_NUMBER}) (?:{_UNIT})|"
        rf"(?:on|this|before|first thing) (?:{_WEEKDAY})|right now|straight away|right away|"
        rf"now|immediately|while you're on the line|while we're on the phone|before we hang up|"
        rf"before the end of|end of (?:the )?(?:day|week))\b",
        rf"\b(?:today|tomorrow|by (?:{_WEEKDAY}|tomorrow)|within (?:{_NUMBER}) (?:{_UNIT}))"
        rf",? (?:i'll|i will|we'll|we will|you'll|you will)\b",
    )),
    Quality("thanks", "thanked them", GOOD, (
        r"\bthank(?:s| you)\b(?! for nothing)",
        r"\bi appreciate (?:you|your|that you|it)\b",
    ), unless=(r"\bthanks for nothing\b", r"\bno,? thank(?:s| you)\b")),
    Quality("calm-down", "told them to calm down", BAD, (
        r"\bcalm (?:down|yourself)\b",
        r"\b(?:settle|simmer) down\b",
        r"(?:^|[.!?,]\s*)(?:just )?relax\b",
        r"\bchill(?: out)?\b",
        r"\btake a (?:deep )?breath\b",
        r"\bno need to (?:shout|yell|get (?:angry|upset|worked up|so worked up|nasty|"
        r"personal)|raise your voice|be (?:rude|like that|so rude|aggressive)|swear)\b",
        r"\bstop (?:shouting|yelling|being (?:rude|dramatic|so dramatic|difficult)|"
        r"swearing|getting worked up)\b",
        r"\bdon't (?:shout|yell|get (?:so )?(?:upset|angry|worked up|excited|emotional)|raise"
        r" your voice|take that tone)\b",
        r"\b(?:you're|you are) (?:overreacting|being (?:hysterical|emotional|dramatic))\b",
        r"\b(?:lower|keep) your voice(?: down)?\b",
        r"\bthere's no need for that\b",
        r"\bwhy you(?:'re| are) (?:so|this|that) (?:upset|angry|worked up|cross)\b",
        r"\bget a grip\b",
        r"\bit's not the end of the world\b",
        r"\bit's only (?:a|an|one)\b",
    )),
    Quality("blame", "blamed or lectured them", BAD, (
        r"\byou (?:should|could|ought to|might|would)(?:'ve| have)"
        r" (?:read|checked|looked|known|called|kept|noticed|followed|paid|told|asked|been|"
        r"realised|realized|thought|listened|contacted|rung|waited|reported|said)\b",
        r"\byou (?:shouldn't|should not) have\b",
        r"\bif you(?:'d| had) (?:read|checked|looked|called|listened|kept|followed|paid|told|"
        r"bothered|just)\b",
        r"\byou didn't (?:read|check|look|call|listen|follow|pay|tell|bother|notice|keep|"
        r"think|ask|register|update)\b",
        r"\byou (?:failed|forgot|neglected) to\b",
        r"\b(?:that's|that is|it's|it is|this is) (?:your|on you|your own)\b"
        r"(?: (?:fault|mistake|problem|lookout|responsibility|doing))?",
        r"\byour (?:own )?(?:fault|mistake|problem|lookout)\b",
        r"\b(?:as|like) i (?:said|explained|already said|already explained|told you|mentioned|"
        r"keep saying|said before)\b",
        r"\bi(?:'ve)? already (?:told|explained|said)\b",
        r"\bit (?:clearly|plainly) (?:says|states|said)\b",
        r"\b(?:everyone|everybody) knows\b",
        r"\byou(?:'ve| have)? (?:obviously|clearly|probably|must have|must've)(?: just)?"
        r" (?:didn't|did not|"
        r"don't|misread|missed|forgot|forgotten|broke|broken|dropped|misused|worn|wore|"
        r"ignored|deleted|got|haven't|skipped|not)\b",
        r"\byou(?:'re| are) (?:wrong|mistaken|confused|not listening|not reading)\b",
        r"\bread the (?:terms|email|manual|instructions|small print|letter|fine print|"
        r"contract)\b",
        r"\byou were (?:told|warned|informed|sent)\b",
        r"\bwhy (?:didn't|did not|don't|would|wouldn't|on earth did|did) you\b",
        r"\bhow (?:could|can|did) you (?:not|miss|forget|think|expect)\b",
        r"\bnot (?:our|my) (?:fault|problem|responsibility)\b",
        r"\byou(?:'ve| have) (?:misunderstood|got it wrong|misread|got that wrong)\b",
        r"\byou (?:need|have) to (?:understand|realise|realize|accept|appreciate that)\b",
        r"\bif you(?:'d| had| would) (?:just )?listen",
        r"\bwhat (?:do|did) you expect\b",
        r"\bthat's not how (?:it|this|things) works?\b",
        r"\bhow many times\b",
        r"\bi'm not (?:going to|gonna) argue\b",
        r"\bto be (?:fair|honest),? (?:you|it was you)\b",
        r"\bwith (?:all due )?respect,? (?:you|that's|it's)\b",
        r"\bactually,? (?:you|it was you)\b",
        r"\bnobody else (?:has|complains|has ever)\b",
    )),
    Quality("policy", "quoted policy", BAD, (
        r"\b(?:our |the |company |store |strict )?(?:policy|policies)\b",
        r"\bterms (?:and|&) conditions\b",
        r"\b(?:our|the) terms\b",
        r"\bt(?:'s)? ?(?:&|and) ?c(?:'s|s)?\b",
        r"\b(?:small|fine) print\b",
        r"\b(?:the|our) rules?\b",
        r"\breturns? (?:window|period|deadline)\b",
        r"\b(?:i'm|i am|we're|we are) not (?:allowed|permitted|authorised|authorized) to\b",
        r"\b(?:there's|there is) nothing (?:i|we) can do\b",
        r"\b(?:i|we) (?:can't|cannot|don't) (?:do|make|give) (?:an )?exceptions?\b",
        r"\bthat's (?:just )?(?:how it is|the way it is|how it works)\b",
        r"\b(?:the )?system won't (?:let|allow) me\b",
        r"\bprocedure\b",
        r"\bour hands are tied\b",
        r"\bthe contract (?:says|states)\b",
    )),
    Quality("promise", "promised what you can't be sure of", BAD, (
        r"\bi (?:promise|guarantee|swear)\b",
        r"\bguaranteed?\b",
        r"\b(?:this|that|it)(?:'ll| will) never happen again\b",
        r"\b(?:it|this|that) won't (?:ever )?happen again\b",
        r"\bi'll make sure (?:this|that|it) never\b",
        r"\b(?:whatever|anything) you (?:want|like|need)\b",
        r"\bi(?:'ll| will) (?:refund|give) (?:you )?(?:it )?(?:the full|in full|the whole|"
        r"everything|all of it|all your|every penny|double)\b",
        r"\bi(?:'ll| will) refund (?:it|you|the \w+) in full\b",
        r"\b(?:i'll|i will|we'll|we will) (?:give|get) you a full refund\b",
        r"\bno questions asked\b",
        r"\b(?:100|a hundred) ?(?:%|percent|per cent)\b",
        r"\byou have my word\b",
        r"\bi(?:'ll| will) (?:definitely|absolutely|certainly) (?:fix|sort|refund|get|make)\b",
        r"\b(?:i|we)(?:'ll| will) (?:waive|cancel|refund) (?:everything|all of it|all the)\b",
        r"\bi(?:'ll| will) do anything\b",
        r"\bi could do (?:twenty|thirty|forty|fifty|\d+)",
    )),
)

BY_ID = {quality.id: quality for quality in QUALITIES}


@dataclass(frozen=True)
class Found:
    """A quality a reply shows, with the words that showed it."""

    quality: Quality
    words: str

    @property
    def said(self) -> str:
        """The feedback phrase: \u2018I get it\u2019 acknowledged the feeling."""
        return f"\u2018{self.words}\u2019 {self.quality.does}"


def normal(text: str) -> str:
    """Lower case, curly apostrophes straight, spaces single: what the patterns read."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").lower()
    return " ".join(text.split())


def qualities(text: str) -> list[Found]:
    """Every quality `text` shows, in the order of `QUALITIES`, each with its words."""
    said = normal(text)
    found = []
    for quality in QUALITIES:
        words = quality.found(said)
        if words is not None:
            found.append(Found(quality, _original(text, words)))
    return found


def _original(text: str, words: str) -> str:
    """`words` as the trainee wrote them (their case and apostrophes), where it can be found."""
    said = text.replace("\u2019", "'").replace("\u2018", "'")
    at = " ".join(said.split()).lower().find(words)
    return " ".join(said.split())[at:at + len(words)] if at >= 0 else words


@dataclass(frozen=True)
class Judgement:
    """What a reply did, in context: a rating and the reasons, calming and heating."""

    rating: str  # good, fair or poor
    helped: tuple[str, ...]  # "'I get it' acknowledged the feeling", ...
    hurt: tuple[str, ...]
    apology: bool
    shows: tuple[str, ...] = ()  # the ids of every quality found, whatever the context

    @property
    def reasons(self) -> str:
        """One line saying why: what hurt first, then what helped."""
        return "; ".join((*self.hurt, *self.helped))


def judge(text: str, *, customer_is_right: bool, listened: bool,
          forbidden: tuple[str, ...] = ()) -> Judgement:
    """A reply judged by the qualities it shows, in the call's context: an apology is
    good only where the facts favour the customer, policy is bad only before the
    trainee has listened, and a promise of something a step's `avoid` line forbids
    (`forbidden`: those lines) is named as such."""
    found = qualities(text)
    helped: list[str] = []
    hurt: list[str] = []
    apology = False
    for item in found:
        quality = item.quality
        if quality.id == "apologise":
            apology = True
            if not customer_is_right:
                hurt.append(f"\u2018{item.words}\u2019 apologised for a fault that isn't ours")
                continue
        if quality.id == "policy" and listened:
            continue  # policy after listening is information, not a brush-off
        if quality.id == "promise" and any(_forbids(line) for line in forbidden):
            hurt.append(f"{item.said}, which this step says to avoid")
            continue
        (helped if quality.kind == GOOD else hurt).append(item.said)
    rating = "poor" if hurt else "good" if helped else "fair"
    return Judgement(rating, tuple(helped), tuple(hurt), apology,
                     tuple(item.quality.id for item in found))


def _forbids(avoid_line: str) -> bool:
    return re.search(r"promis|guarantee|giv\w* in|refund|more than", avoid_line,
                     re.IGNORECASE) is not None

"""Negative sentiment of a group-chat message, offline: a lexicon of ours with
negation, degree words, questions, contrast, sarcasm cues, emoji and mixed
English. Pure functions, no Streamlit, no network, no model files.

    classify("发货太慢了，等了一周还没到")  -> Verdict(negative=True, category="slow_delivery", ...)
    classify("不是假货，放心买")            -> Verdict(negative=False, ...)

How a message is judged
1. Normalised: NFKC (full-width letters and digits become ASCII), lower case,
   spaces collapsed. Split into clauses at punctuation and at contrast words
   (但/但是/不过/可是/就是...), each clause knowing whether it is a question.
2. In every clause the negative cues (regular expressions, each with a category
   and a weight: 2 strong, 1.5 clear, 1 weak, 0.8 topic-only) and positive cues
   are found, longest first, without overlap.
3. A negative cue is dropped when a negator stands right before it
   ("不是假货", "没有问题", "一点都不慢", "not fake"), and weakened or dropped
   when the clause is a hypothetical question ("会起球吗", "会不会掉色" are
   pre-purchase questions; "是不是假货" still counts, a little). Rhetorical
   questions ("怎么还没到", "为什么不给退款") count fully.
4. Degree words scale a cue: 太/很/非常/超/真/巨/贼... ×1.5, 有点/有些/稍微/
   ...了点 ×0.6.
5. Sarcasm: "呵呵", eye-rolling emoji, a positive word in quotes (真是太'好'了),
   "谢谢你们让我..." count as negative; angry emoji count, happy ones are positive.
6. A clause before a contrast word counts half when what follows is positive
   ("虽然物流慢了点，但是衣服很好看"); a message with more positive than
   negative weight and no strong cue is not negative.
7. Negative when the total ≥ 1. The category is that of the heaviest cue
   (ties: fake_goods, refund_trouble, slow_delivery, quality, service,
   complaint, other_negative).

`PREFILTER` is one RE2-compatible pattern matching every text that contains any
negative cue (a superset of the negative texts): SQL narrows millions of
messages with it before Python judges the few candidates.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

CATEGORIES = ("fake_goods", "refund_trouble", "slow_delivery", "quality", "service", "complaint", "other_negative")
_PRIORITY = {c: i for i, c in enumerate(CATEGORIES)}

# (pattern, category, weight). Chinese patterns match anywhere; an entry
# starting with "\b" is English and matches whole words.
_C = "[^，,。.！!？?；;~～ ]"  # any character inside a clause
NEGATIVE: list[tuple[str, str, float]] = [
    # fake goods
    (r"假货|假的吧|是假的|假冒|仿品|高仿|山寨|a货|冒牌", "fake_goods", 2.0),
    (r"不是正品|非正品|不像正品|不是真的|跟专柜不一样|和专柜不一样|与专柜不一样|和官网不一样", "fake_goods", 2.0),
    (r"\bfake\b|\bcounterfeit\b|\bknock-?off\b", "fake_goods", 2.0),
    # refund trouble
    (r"(退款|退货|退钱|售后|退换)" + _C + r"{0,8}(没人|没有人|不处理|没处理|还没到|没到账|没退|拖了|拖着|太慢|好慢|"
     r"很慢|难|麻烦|拒绝|不给|不让|不退|驳回|失败|不了|没回应|没消息|没反应)", "refund_trouble", 2.0),
    (r"(不给|不让|拒绝|不肯|无法|没法)" + _C + r"{0,2}(退款|退货|退钱|退换)|退不了|退不掉", "refund_trouble", 2.0),
    (r"(钱|款)(还|都|也)?(没|没有)(退|到账|到)|钱呢|(退款|退货|退钱|售后)" + _C + r"{0,6}(这么久|那么久|好久)",
     "refund_trouble", 1.5),
    (r"(要求|申请|必须|我要|要)" + _C + r"{0,1}(退款|退货|退钱)|(退款|退货)!+", "refund_trouble", 1.0),
    (r"退款|退货|退钱", "refund_trouble", 0.8),
    (r"\brefund\b|\breturn it\b|\bmoney back\b", "refund_trouble", 1.0),
    # slow delivery
    (r"(发货|物流|快递|送货|配送|到货|派送|出库|发件)" + _C + r"{0,3}(慢|龟速|太久|好久|迟迟|拖)", "slow_delivery", 1.5,
     "inner"),
    (r"(太|好|很|真|这么|那么|特别|超级|巨)慢|慢得|磨磨蹭蹭|磨蹭|龟速|拖拖拉拉", "slow_delivery", 1.5),
    (r"(包裹|快递|货|件)(被)?(丢了|丢失|弄丢)", "slow_delivery", 1.5),
    (r"(还没|还没有|迟迟没|迟迟不|一直没|一直不)" + _C + r"{0,2}(到|发货|发出|收到|发|送到|更新)", "slow_delivery", 1.5),
    (r"等了" + _C + r"{0,3}(天|周|星期|个月|礼拜)", "slow_delivery", 1.5),
    (r"(物流|快递)" + _C + r"{0,10}(不动|没更新|没动静|丢了|丢件|停了|停在)|丢件|催了" + _C + r"{0,3}(次|遍|天)",
     "slow_delivery", 1.5),
    (r"\bnot (yet )?received\b|\bwhere('s| is) my (refund|money|order|package|parcel)\b|\bslow\b|\bstill not (here|arrived|shipped)\b|\bnot (arrived|shipped) yet\b|\bdelayed\b|\blate delivery\b",
     "slow_delivery", 1.5),
    # quality
    (r"质量" + _C + r"{0,3}(差|不好|不行|太次|一般般|堪忧|有问题)|做工" + _C + r"{0,3}(差|粗糙|不行|不好)|"
     r"质量问题|劣质|粗制滥造", "quality", 1.5, "inner"),
    (r"起球|掉色|褪色|变形|缩水|开线|脱线|破洞|破损|坏了|断了|裂了|发霉|异味|臭味|色差|线头|瑕疵|污渍|脏了|"
     r"过敏|烂脸|刺痛|泛红|闷痘|起皮|脱胶|掉毛|漏液|漏了|压坏|碎了|开胶|"
     r"长(了)?(好多|很多|一堆|一脸|满脸)?(痘|疹子|闭口)|(就)?是(坏|断|破|碎|裂|烂)的", "quality", 1.5),
    (r"(尺码|大小)" + _C + r"{0,3}(不对|不准|错了)|发错|少发|漏发|发的不对", "quality", 1.5),
    (r"\b(bad|poor|terrible|awful|cheap) quality\b|\bbroken\b|\bdamaged\b|\bdefective\b|\bripped\b",
     "quality", 1.5),
    # service
    (r"客服" + _C + r"{0,4}(不回|不理|没人|没回|太差|敷衍|推脱|踢皮球|消失)|(一直|都|也|就是|从来|从)" + _C +
     r"{0,1}不回|不回(复|消息|我)|没人(回|理|管|处理|回复|接)|不理人|爱答不理|敷衍|踢皮球|推卸|甩锅|甩脸色",
     "service", 2.0),
    (r"(服务|态度)" + _C + r"{0,4}(差|恶劣|不好|不行)", "service", 2.0, "inner"),
    (r"(回复|回消息|回答|处理)" + _C + r"{0,3}(慢|太久|半天)|等(了)?半天", "service", 1.5),
    (r"\b(rude|ignored|no reply|no response|nobody (replies|answers))\b|\bterrible service\b|\bbad service\b",
     "service", 2.0),
    # complaint
    (r"投诉|差评|举报|维权|12315|消协|曝光|骗子|骗人|被骗|欺骗|坑人|太坑|好坑|真坑|坑爹|坑钱|黑心|垃圾|"
     r"说好的" + _C + r"{0,6}(没有|没|呢|不)|虚假宣传|智商税|不值|不满意|失望|后悔|上当|再也不(买|来)|"
     r"取关|退群|拉黑|忍不了|受不了|什么破|破东西|越来越差|凭什么", "complaint", 2.0),
    (r"用不了|领不了|不能用|没法用|用不上|领不到|抢不到|付不了|打不开|加载不出", "complaint", 1.5),
    (r"\bscam\b|\bripoff\b|\brip-off\b|\bworst\b|\bdisappointed\b|\bdisappointing\b|\bcomplain(t)?\b|"
     r"\bnever again\b|\bunacceptable\b|\bridiculous\b|\bwaste of money\b", "complaint", 2.0),
    (r"不好用|不好看|不舒服|不喜欢|不合适|不推荐|不怎么样|不咋地|不靠谱|不太行|不行啊|太差|好差|很差|真差|"
     r"差劲|太贵|好贵|贵死|太烂|好烂|很烂", "complaint", 1.5),
    # other negative: anger, exasperation, sarcasm
    (r"生气|气死|火大|恼火|无语|服了|醉了|崩溃|恶心|离谱|太过分|过分|什么鬼|搞什么|有病|闹心|糟心|心累|呵呵|"
     r"笑死人|真行啊|好样的啊|真有你们的|可真会|谢谢你们(让|害)|感谢你们(让|害)", "other_negative", 1.5),
    (r"😡|🤬|😠|😤|💢|👎|🙄|😒|😞|😩|😫|🖕|💩", "other_negative", 1.5),
    (r"😭|😢|😓|😔|🤦", "other_negative", 0.8),
    (r"['‘’“”\"「『](好|棒|快|厉害|优秀|专业|贴心|负责|及时|正品|划算)['‘’“”\"」』]", "other_negative", 2.0),
    (r"\bangry\b|\bwtf\b|\bterrible\b|\bawful\b|\bhorrible\b|\bsucks?\b|\bannoyed\b|\bupset\b|\bbad\b|"
     r"\bpathetic\b", "other_negative", 1.5),
]

# Positive words that a negator turns negative ("不划算", "没那么好看", "not good").
NEGATABLE = ("满意|喜欢|好看|好用|舒服|漂亮|推荐|给力|超值|划算|实惠|放心|开心|质量好|值得|合身|好穿|显瘦|"
             "专业|靠谱|方便|新鲜|耐用|透气|保暖|柔软|好吃|正规|清楚|及时|负责|贴心|友好|耐心|想要")
NEGATIVE.append((r"(不|没|没有)(太|很|怎么|那么|够|算)?(" + NEGATABLE + ")", "complaint", 1.0))
NEGATIVE.append((r"\b(not|isn't|wasn't|never) (very |so |that )?(good|great|happy|worth it|nice|fast|satisfied)\b",
                 "complaint", 1.0))
NEGATIVE.append((r"没收到(货|快递|包裹|东西)", "slow_delivery", 1.5))

POSITIVE = [
    (r"好评|满意|不错|喜欢|好看|好用|舒服|漂亮|推荐|给力|完美|超值|划算|实惠|放心|惊喜|开心|可爱|质量好|"
     r"质量很好|质量不错|很快|超快|挺快|好快|神速|正品|感谢|谢谢|辛苦|赞|棒|爱了|绝绝子|回购|种草|"
     r"已解决|解决了|到账了|收到了|处理好了|很好|挺好|真好|太好了|好的|显瘦|显白|合身|好穿|值得", 1.0),
    (r"👍|😊|😍|❤|♥|🥰|🎉|💯|😄|😁|👏|🌹|💕|✨|🙏|哈哈", 1.0),
    (r"\b(good|great|love|nice|thanks|thank you|perfect|awesome|amazing|excellent|fast|happy|recommend|"
     r"received|resolved|arrived|sorted)\b", 1.0),
]

# A negator right before a cue turns it off: "不是假货", "没有问题", "一点都不慢".
_NEGATOR = re.compile(r"(哪有|哪里|哪儿|不是|不算|并不|并没有|并没|一点也不|一点都不|一点儿也不|丝毫不|毫不|从不|从来不|"
                      r"从来没|绝对不|绝不|不会|不太|没有|没那么|没|不|无|未|非|别|\bnot|\bno|\bnever|\bisn't|"
                      r"\bwasn't|\bdon't|\bdidn't|\bnot that|\bnot so)\s*(太|很|那么|怎么|算|是|有|会|觉得|感觉|"
                      r"too|so|very|that)?\s*$")
_AMPLIFIER = re.compile(r"(太|很|非常|特别|超级|超|极其|极|真是|真的|真|好|巨|贼|实在|简直|十分|严重|相当|"
                        r"\bso|\btoo|\bvery|\breally|\bextremely)\s*$")
_DIMINISHER_BEFORE = re.compile(r"(有点点|有点儿|有点|有些|稍微|稍稍|略微|略|一点点|\ba bit|\bslightly|\ba little)\s*$")
_DIMINISHER_AFTER = re.compile(r"^(了点|了一点|一点点|一点|了些|些)")
_HYPOTHETICAL = re.compile(r"(会不会|会|能不能|容易|是否|有没有|可能|\bwill\b|\bdoes\b|\bis it\b|\bcan i\b|\bif\b)")
# Said before a cue, these make it a fear, a hypothesis or a past worry, not a complaint.
_NOT_REAL = re.compile(r"(怕|担心|害怕|万一|以免|防止|避免|如果|要是|假如|生怕|就怕|以为|还以为|原以为|本来|原本|"
                       r"谁说|听说|据说|不用担心|不怕|预防|防|\bif\b|\bin case\b|\bafraid\b)")
_RHETORICAL = re.compile(r"(怎么|为什么|为啥|咋|凭什么|到底|究竟|居然|竟然|还要|还得|\bwhy\b|\bhow come\b|"
                         r"\bwhere('s| is) my\b)")
# "怎么申请", "怎么用": asking how, not complaining.
_PROCEDURAL = re.compile(r"(怎么|如何|怎样)(申请|操作|用|使用|退|换|弄|办理|参加|处理|领|联系|查|填|寄)")
_A_NOT_A = re.compile(r"(是不是|有没有|会不会|能不能|要不要|好不好|对不对|算不算|是否)\s*$")
_QUESTION_END = re.compile(r"(吗|么|嘛|呢|\?)\s*$|^请问|(是不是|有没有|会不会|能不能|是否)")
_CONTRAST = re.compile(r"(但是|但|不过|可是|然而|只是|就是有点)")
_SPLIT = re.compile(r"[，,。！!；;~～\n]+|(?<=[?？])")
_COMPILED_NEG = [(re.compile(e[0]), e[1], e[2], len(e) > 3) for e in NEGATIVE]
# Harmless phrases that contain a cue: a cue inside one of them is not a cue.
EXCEPTIONS = re.compile(r"呵呵哒|慢慢|慢走|慢用|不慢|坏坏|笑死我|差不多|差价|差点")
_COMPILED_POS = [(re.compile(p), w) for p, w in POSITIVE]
STRONG = 2.0


def _rex_prefilter() -> str:
    """Every negative cue as one alternation (RE2 has no lookbehind: none is used)."""
    return "(?i)" + "|".join(f"(?:{e[0]})" for e in NEGATIVE)


PREFILTER = _rex_prefilter()


@dataclass(frozen=True)
class Verdict:
    negative: bool
    category: str | None
    score: float
    positive: float
    cues: tuple[str, ...] = ()


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower()
    return re.sub(r"\s+", " ", text).strip()


def _clauses(text: str) -> list[tuple[str, bool, bool]]:
    """(clause, is_question, follows_contrast) in order."""
    out = []
    for part in _SPLIT.split(text):
        part = part.strip()
        if not part:
            continue
        pieces = _CONTRAST.split(part)
        contrast = False
        for piece in pieces:
            if _CONTRAST.fullmatch(piece or ""):
                contrast = True
                continue
            piece = (piece or "").strip()
            if piece:
                out.append((piece, bool(_QUESTION_END.search(piece)) or part.endswith("?"), contrast))
    return out


def _matches(clause: str, compiled) -> list[tuple[int, int, tuple]]:
    """Non-overlapping cue matches, longest first."""
    found = []
    for entry in compiled:
        for m in entry[0].finditer(clause):
            if m.end() > m.start():
                found.append((m.start(), m.end(), entry))
    found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
    taken: list[tuple[int, int, tuple]] = []
    for f in found:
        if all(f[1] <= s or f[0] >= e for s, e, _ in taken):
            taken.append(f)
    return sorted(taken, key=lambda f: f[0])


def _negated(before: str) -> bool:
    return bool(_NEGATOR.search(before)) and not _A_NOT_A.search(before)


def _clause_scores(clause: str, question: bool) -> tuple[list[tuple[str, float, str]], float]:
    negatives, positive = [], 0.0
    neg_spans = []
    harmless = [m.span() for m in EXCEPTIONS.finditer(clause)]
    rhetorical = bool(_RHETORICAL.search(clause)) and not _PROCEDURAL.search(clause)
    for start, end, (rex, category, weight, inner) in _matches(clause, _COMPILED_NEG):
        neg_spans.append((start, end))
        if any(s <= start and end <= e or s <= start < e for s, e in harmless):
            continue
        before, after = clause[max(0, start - 6):start], clause[end:end + 3]
        m = rex.match(clause, start, end) if inner else None
        inner_negated = bool(m and m.lastindex and _negated(clause[start:m.start(m.lastindex)]))
        if _negated(before) or inner_negated:
            positive += 0.5  # "不是假货", "物流不慢": reassurance, a little positive
            continue
        if _NOT_REAL.search(clause[max(0, start - 8):start]) or after.startswith("的话"):
            continue  # "怕买到假货", "以为会掉色", "起球的话怎么办"
        w = weight
        if _AMPLIFIER.search(before):
            w *= 1.5
        if _DIMINISHER_BEFORE.search(before) or _DIMINISHER_AFTER.search(after):
            w *= 0.6
        if question and not rhetorical:
            if _HYPOTHETICAL.search(clause):
                w = 0.0 if category in ("quality", "complaint", "slow_delivery") else min(w, 1.0)
            elif category == "fake_goods":
                w = min(w, 1.0)  # "是假货吗": a doubt worth hearing
            else:
                w *= 0.6
        if w > 0:
            negatives.append((category, w, clause[start:end]))
    for start, end, (_, weight) in _matches(clause, _COMPILED_POS):
        if any(not (end <= s or start >= e) for s, e in neg_spans):
            continue  # part of a negative phrase ("不满意", "质量不好")
        positive += weight
    return negatives, positive


@lru_cache(maxsize=200_000)
def classify(text: str | None) -> Verdict:
    """Is this message negative, and about what."""
    norm = normalise(text or "")
    if not norm:
        return Verdict(False, None, 0.0, 0.0)
    clauses = _clauses(norm)
    scored = [(_clause_scores(c, q), contrast) for c, q, contrast in clauses]
    # A contrast ("..., 但是 ...") makes what follows it count more than what precedes it.
    last_contrast = max((i for i, (_, contrast) in enumerate(scored) if contrast), default=None)
    after_positive = False
    if last_contrast is not None:
        after_neg = sum(w for (negs, _), _ in scored[last_contrast:] for _, w, _ in negs)
        after_pos = sum(p for (_, p), _ in scored[last_contrast:])
        after_positive = after_pos > 0 and after_neg == 0
    total, positive, cues, by_category = 0.0, 0.0, [], {}
    for i, ((negs, pos), _) in enumerate(scored):
        factor = 0.5 if after_positive and i < last_contrast else 1.0
        positive += pos
        for category, w, cue in negs:
            total += w * factor
            cues.append(cue)
            by_category[category] = max(by_category.get(category, 0.0), w * factor)
    strongest = max(by_category.values(), default=0.0)
    negative = total >= 1.0 and not (positive >= total and strongest < STRONG)
    category = None
    if negative:
        # What it is about (fake goods ... service) before how it feels (complaint, other_negative).
        topical = {c: w for c, w in by_category.items() if c not in ("complaint", "other_negative")} or by_category
        category = min(topical, key=lambda c: (-topical[c], _PRIORITY[c]))
    return Verdict(negative, category, round(total, 3), round(positive, 3), tuple(cues))


def is_negative(text: str | None) -> bool:
    return classify(text).negative


def category(text: str | None) -> str | None:
    return classify(text).category

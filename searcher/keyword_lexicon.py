"""The word lists behind keyword extraction (``searcher.keywords``).

Written for this project from general knowledge of English and of news copy, not taken
from any corpus. Kept apart from the algorithm so that each stays readable; they are
plain frozensets of lower-case words, tuned by reading keywords extracted from real news
(``benchmarks/keywords_bench.py``): add a word when it shows up as a poor keyword.
"""

from __future__ import annotations

from typing import FrozenSet


def _words(text: str) -> FrozenSet[str]:
    """The whitespace-separated words of ``text``."""
    return frozenset(text.split())


#: Never part of a keyword: function words, contractions, reporting verbs, dates and
#: numbers in words, and the boilerplate of news pages. They end a candidate run.
HARD = _words("""
a about above across after afterwards again against ago ahead all almost alone along already
also although always am among amongst an and another any anybody anyone anything anyway
anywhere are aren't around as at away be became because become becomes becoming been before
beforehand behind being below beside besides between beyond both but by can can't cannot
could couldn't did didn't do does doesn't doing don't done down during each either else
elsewhere enough etc even ever every everybody everyone everything everywhere except few for
former formerly latest previous recent current from further furthermore had hadn't has
hasn't have haven't having he he'd he'll he's hence her here here's hers herself him himself
his how however i i'd i'll i'm i've if in indeed instead into is isn't it it's its itself
just least less let let's like many may maybe me meanwhile might mine more moreover most
mostly much must my myself namely neither never nevertheless no nobody none nor not nothing
now nowhere of off often on once one ones only onto or other others otherwise our ours
ourselves out over own per perhaps quite rather really same several she she'd she'll she's
should shouldn't since so some somebody someone something sometime sometimes somewhat
somewhere such than that that's the their theirs them themselves then there there's thereby
therefore these they they'd they'll they're they've this those though through throughout
thus to together too toward towards under unless unlike until up upon us very via was wasn't
we we'd we'll we're we've were weren't what what's whatever when whenever where whereas
wherever whether which while who who's whoever whom whose why will with within without won't
would wouldn't yet you you'd you'll you're you've your yours yourself yourselves shall ought
despite amid amidst unto thereof whilst ok okay yes oh um lot lots said say says saying told
tell tells telling according added adding asked ask asks stated noted explained insisted
declined confirmed reportedly allegedly apparently regarding concerning year years yr yrs
percent cent pct mr mrs ms dr sen rep gov lt gen col st prof jr sr vs today yesterday
tomorrow tonight week weeks weekend month months ago monday tuesday wednesday thursday
friday saturday sunday january february march april june july august september october
november december jan feb mar apr jun jul aug sep sept oct nov dec zero two three four five
six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen
nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds thousand
thousands million millions billion billions trillion dozen dozens half click here read image
images copyright caption getty photo photos video videos pictured subscribe newsletter
advertisement story stories related email share reuters afp ap inc ltd plc corp llc co ii
iii iv vi vii viii ix xi xii so-called etc. e.g i.e am pm a.m p.m gmt bst est
""")

#: Generic words: useless alone or at the edge of a phrase when lower-case, but part of a
#: name when capitalised ("New York", "White House", "Prime Minister", "South Korea").
SOFT = _words("""
new first second third fourth fifth sixth seventh eighth ninth tenth last next daily weekly
good better best bad worse worst great greater greatest big bigger biggest small smaller
large larger largest long longer longest high higher highest low lower lowest old older
young younger little important different major likely possible real clear full whole early
earlier late later certain sure free true hard easy strong able available main key top past
following final total various similar simple special general common particular significant
serious huge massive entire additional open close wide short right wrong nice fine poor only
own other another such even still well back far near around away north south east west
northern southern eastern western central make makes made making take takes took taken
taking get gets got getting go goes went gone going come comes came coming see sees saw seen
know knows knew known think thinks thought want wants wanted need needs needed use uses used
using find finds found give gives gave given show shows showed shown call calls called look
looks looked help helps helped try tries tried keep keeps kept leave leaves left put puts
mean means meant begin begins began begun seem seems seemed turn turns turned start starts
started move moves moved run runs ran hold holds held bring brings brought happen happens
happened write writes wrote provide provides provided sit stand stands lose loses lost pay
pays paid meet meets met include includes included including continue continues continued
set learn change changed lead leads led understand follow follows followed stop stopped
create created speak speaks spoke allow allows allowed add adds spend grow offer offered
remember consider considered appear appears appeared wait expect expects expected remain
remains remained suggest suggests suggested raise raised pass passed require requires
required decide decided believe believes believed feel feels felt become want wanted plan
planned hope hoped agree agreed warned warns warn won win wins beat describe described
announce announced claim claims claimed reveal revealed insist argue argued accept accepted
face faces faced deal dealt tend took announcing including according making taking giving
getting saying sold bought excluding encouraging losing suffered heard aged fell send
welcome welcomed finding understood people person thing things way ways part parts place
places point points case cases fact facts number numbers kind sort type types area areas
side sides end ends level levels form example examples reason reasons result results idea
ideas issue issues problem problems question questions matter matters position situation
course term terms line lines time times day days moment period something anything everything
nothing someone everyone lot statement comment comments spokesman spokeswoman spokesperson
source sources
""")

#: Frequent news vocabulary that can be a keyword but is weak evidence on its own.
COMMON = _words("""
government governments country countries state states city cities police school schools
company companies market markets business businesses money war military law laws court
courts health house home homes world child children woman women man men family families
group groups party parties president minister secretary official officials leader leaders
member members public national international security report reports media news service
services system systems program programs programme plan plans policy policies power water
energy food land job jobs work workers worker team teams game games season club players
player music film films show shows election elections vote votes voting campaign support
talks rights data research study studies price prices cost costs tax taxes bank banks
industry economy economic political social foreign local global private force forces office
administration department agency board council committee director chief executive chairman
head staff community society history information technology development management control
process project care life lives death deaths student students teacher teachers parent
parents friend friends order action actions attack attacks record records deal deals
decision decisions change changes growth rate rates sales profit profits share shares firm
firms customer customers product products bill bills act measure measures move moves
response efforts effort plan move trade trip visit meeting meetings event events series
interview spokesman chance risk risks effect effects impact role interest interests value
support view views concern concerns claim claims evidence investigation case charges region
regions area border borders capital street road building center centre site sites million
age ages term job income pay cash fund funds budget spending debt loan loans season match
matches win wins victory title cup league final round race film music album band song songs
star stars award awards show series book books phone phones mobile internet online web
computer software users user network networks u.s u.s.a usa u.k uk net country leaders
nation nations republic union army troops soldiers weapons mp mps mep meps actress actor
singer
""")

#: Generic adjectives that still make a phrase when they lead one ("first lady", "free
#: trade", "high school", "central bank"); alone or at a phrase's end they stay generic.
MODIFIERS = _words("""
first free high open early general special central real hard public
""")

#: Honorifics and job titles: a keyphrase may end with one ("vice president", "prime
#: minister") but never runs on into the name after it ("president mike pence").
TITLES = _words("""
president minister secretary senator governor chancellor mayor leader chief chairman
chairwoman chair spokesman spokeswoman spokesperson director judge justice king queen prince
princess pope general commander ambassador envoy official officials coach manager captain
boss founder ceo correspondent editor reporter analyst professor lawmaker lawmakers senators
representative congressman congresswoman mp mps mep meps td actress actor singer rapper
rocker comedian presenter striker midfielder defender goalkeeper winger producer designer
journalist referee sir dame lord
""")

#: Words whose trailing "." does not end a sentence.
ABBREVIATIONS = _words(
    "mr mrs ms dr sen rep gov lt gen col st prof jr sr vs inc co corp ltd no mt ft"
)

#: Words ending in "ly" that are not adverbs.
LY_NOUNS = _words("""
family supply assembly rally ally anomaly monopoly reply italy july bully jelly belly fly
holy lily oily ugly silly reilly kelly emily sally molly polly billy willy wembley
""")

#: Outlets naming themselves ("told ABC News", "BBC Sport"): boilerplate unless in the title.
MEDIA = _words("""
news sport sports online radio tv television website bbc cnn abc nbc cbs msnbc npr tass
itar-tass xinhua interfax dw jazeera
""")

#: Name particles ("Jeroen van der Veer", "Al Jazeera"): inside a name, never at its end.
PARTICLES = _words("""
van von der den de del della da di du la le al el bin ibn san santa los las saint sao
""")

#: Hyphenated adjectives ("US-backed", "Kurdish-led"): they may lead a phrase only.
ADJECTIVE_COMPOUND_ENDS = ("ed", "held", "led", "run", "made", "based", "like", "style")

"""Who designs, builds, supervises or funds a project, asked of it (贸易中心的设计单位是哪家, 哪些单位在
施工, 11个项目是不是都是政府投资, 银行贷多少): a role the report never assigns. An entry naming the company that
invests (河南新壹城集团计划…建设) says who builds it (谁建的), not which unit designs or constructs it,
and an entry stating a project's investment says nothing of whose money it is. bot.engine.judging
adds each role asked to the things asked for, which bot.engine.mentioned looks for in each
candidate: no answer names one, so none answers it.
"""

from __future__ import annotations

import re

_ROLE = "设计|施工|监理|承建|勘察"
_UNIT = r"(?:单位|方(?![案式法面])|院|公司|企业|队)"
_PAUSE = r"[^，。？！,?!\s]"
# The role's unit asked of (设计单位是哪家, 施工方是谁, 设计单位定了没有), or the unit asked that
# does it (哪些单位在施工, 哪家公司承建, 由哪家环保公司承建, 谁设计的). Not 施工 as the work (正在进行
# 哪些施工), nor its permit (哪些项目在办施工许可证), nor the sender's own trade (我们施工队…).
_ROLE_ASKED = re.compile(
    rf"({_ROLE}){_UNIT}{_PAUSE}{{0,6}}?(?:哪|谁|定了没|定没定)"
    rf"|(?:哪一?家|哪[些个家]?{_PAUSE}{{0,2}}{_UNIT}|谁)(?:来|在|负责)?({_ROLE})(?!许可|证)"
)
# A kind of investor asked (是不是政府投资, 有没有民营企业投资的, 国企出资): the answer must say whose.
_FUNDED_BY = re.compile(
    r"(政府|民营|民间|国有|国企|私营|私人|社会|外资|外商|财政)(?:企业|资本|资金)?(?:投资|出资|投的|出钱|投钱)"
)

# How much of it comes from where (企业自己出多少、银行贷多少, 自筹多少, 融资多少): the answer must say.
# 自己 only before paying (自己出 / 投 / 掏 / 筹 / 承担): 抚远自己保留了多少项 asks the city's own count,
# 企业自己能拿到多少补贴 what the firm receives.
_SOURCE_ASKED = re.compile(
    r"(自筹|银行|贷款|融资)[^，。？！,?!\s]{0,3}?多少"
    r"|(自己)(?=出|投|掏|筹|承担|负担)[^，。？！,?!\s]{0,3}?多少"
)
_SOURCES = {"自己": "自筹", "自筹": "自筹", "银行": "贷款", "贷款": "贷款", "融资": "融资"}


def roles(asks: str) -> tuple[str, ...]:
    """The roles asked in the clauses that ask (`asks`: `Reading.asks`, the sender's own left
    out): a unit as 设计单位, 施工单位… (承建方 as 承建单位), a kind of investor as 政府投资…, a
    source of the money as 自筹, 贷款, 融资; things asked for, which no answer of the report states."""
    found = [f"{designs or builds}单位" for designs, builds in _ROLE_ASKED.findall(asks)]
    found += [f"{kind}投资" for kind in _FUNDED_BY.findall(asks)]
    found += [_SOURCES[a or b] for a, b in _SOURCE_ASKED.findall(asks)]
    return tuple(dict.fromkeys(found))

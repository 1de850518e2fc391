"""Texts the bot starts itself (greeting, menu, command replies), in zh and en.

Answers to questions live in faq/; flow questions live with their flow.
"""

GREETING = {
    "zh": "你好，欢迎使用网络安全事件报告助手！我依据《国家网络安全事件报告管理办法》（2025年11月1日起施行）帮你判断要不要报、向谁报、最晚几点报，起草报告，并回答相关问题。\n"
    "出事了？点“评估报告时限”。找报告渠道？点“报告渠道”（12387等六类渠道属网信部门，供向属地省级网信部门报告；关基和中央国家机关另向各自的接收部门报告，12387不替代它们）。也可以直接输入问题。\n"
    "English? Type /lang en.",
    "en": "Hello, welcome to the incident-reporting assistant! Based on China's National Cybersecurity Incident Reporting "
    "Measures (in force since 1 November 2025) I tell you whether you must report, to whom and by which clock time, "
    "draft the report, and answer your questions.\n"
    "Incident under way? Press \"Assess deadlines\". Need a channel? Press \"Channels\" (the six 12387 channels are the "
    "cyberspace administration's, for reports to the provincial office; CII operators and central organs report to their own "
    "recipients, which 12387 does not replace). Or just type a question.",
}

# /help. Says which path the 12387 channels serve: the cyberspace administration's channels, for the "other
# operator" path to the provincial CAC; the CII and central-organ paths report to their own bodies, in the ways
# those bodies set (that 12387 may be used in addition is our reading: the Measures name no channel for them).
HELP = {
    "zh": "你好！我是网络安全事件报告助手，依据《国家网络安全事件报告管理办法》（2025年11月1日起施行）帮你：\n"
    "• 回答问题：什么是网络安全事件、谁要报告、报告时限、报告对象和渠道、事件分级、报告内容、处罚与从轻；\n"
    "• /assess 判断要不要报、向谁报、最晚几点报；\n"
    "• /report 起草首报、续报或总结报告；\n"
    "• /incidents 列出本会话的事件并切换，/incident 编号 切换，/export 导出当前事件的完整记录；\n"
    "• /contacts 六类12387渠道：网信部门的渠道，供其他运营者向属地省级网信部门报告。涉及关基的向保护工作部门和公安机关报告，"
    "中央和国家机关向本部门网信工作机构报告，按这些部门规定的方式，12387不替代它们（可另行使用12387是我们的理解）；\n"
    "• /faq 浏览全部主题；/lang en 切换英文；/forget 删除本会话保存的全部内容。\n"
    "直接输入你的问题即可。",
    "en": "Hello! I'm the incident-reporting assistant for China's National Cybersecurity Incident Reporting Measures "
    "(in force since 1 November 2025). I can:\n"
    "• answer questions: what an incident is, who reports, deadlines, recipients and channels, grading, report contents, penalties;\n"
    "• /assess: whether you must report, to whom, and by which clock time;\n"
    "• /report: draft the initial, supplementary or summary report;\n"
    "• /incidents: this chat's incidents, to switch between them; /incident N switches; /export: the open incident's record;\n"
    "• /contacts: the six 12387 channels, the cyberspace administration's, for other operators reporting to the provincial "
    "cyberspace administration. A CII operator reports to its protection department and public security, a central or "
    "state organ to its department's cyberspace-affairs office, in the ways those bodies set; 12387 does not replace them "
    "(that they may use it in addition is our reading);\n"
    "• /faq: all topics; /lang zh: switch to Chinese; /forget: delete everything stored for this chat.\n"
    "Just type your question.",
}

MENU = [
    ({"zh": "评估报告时限", "en": "Assess deadlines"}, "/assess"),
    ({"zh": "起草报告", "en": "Draft a report"}, "/report"),
    ({"zh": "报告渠道", "en": "Channels"}, "/contacts"),
    ({"zh": "常见问题", "en": "FAQ topics"}, "/faq"),
]

FAQ_TOPICS = {"zh": "请选择一个主题：", "en": "Pick a topic:"}
TOPIC_PICK = {"zh": "这个主题下的问题：", "en": "Questions on this topic:"}

TOPIC_NAMES = {  # also the order of /faq's topic buttons
    "incident_help": {"zh": "出事了怎么办", "en": "Incident under way"},
    "background": {"zh": "出台背景", "en": "Background"},
    "definition": {"zh": "什么是网络安全事件", "en": "What an incident is"},
    "scope": {"zh": "适用范围与报告主体", "en": "Scope and who reports"},
    "content": {"zh": "主要内容", "en": "Main content"},
    "deadlines": {"zh": "报告流程与时限", "en": "Process and deadlines"},
    "channels": {"zh": "六类报告渠道", "en": "The six channels"},
    "grading": {"zh": "事件分级", "en": "Grading"},
    "report_contents": {"zh": "报告内容与补报", "en": "Report contents"},
    "after": {"zh": "总结报告", "en": "Summary report"},
    "penalties": {"zh": "处罚与从轻", "en": "Penalties and leniency"},
    "legal_basis": {"zh": "法律依据", "en": "Legal basis"},
    "related_duties": {"zh": "相关义务（另请注意）", "en": "Related duties (also note)"},
    "about": {"zh": "办法概况与原文", "en": "About the Measures"},
}

RESUME = {
    "zh": "你上次的“{flow}”还没有完成。要继续吗？",
    "en": "Your \"{flow}\" is not finished yet. Continue where you left off?",
}
CONTINUE = {"zh": "继续", "en": "Continue"}
DISCARD = {"zh": "放弃", "en": "Discard"}
DISCARDED = {"zh": "已放弃。还有什么可以帮你？", "en": "Discarded. What else can I do for you?"}
CANCELLED = {
    "zh": "已取消当前对话，你填写的内容已保存，随时可以继续。还有什么可以帮你？",
    "en": "Cancelled. What you entered is kept, so you can come back to it. What else can I do for you?",
}
NOTHING_TO_CANCEL = {"zh": "当前没有进行中的对话。", "en": "Nothing to cancel."}
NOT_AN_ANSWER = {
    "zh": "没能理解这个回答。请点选按钮或按提示输入；输入 /cancel 可退出。",
    "en": "I couldn't take that as an answer. Press a button or answer as shown; /cancel leaves.",
}
STALE_BUTTON = {
    "zh": "这个按钮属于之前的另一段对话，当前对话继续：",
    "en": "That button belongs to an earlier conversation; carrying on with this one:",
}
LANG_SET = {"zh": "已切换为中文。", "en": "Switched to English."}
LANG_USAGE = {"zh": "用法：/lang zh 或 /lang en", "en": "Usage: /lang zh or /lang en"}
FORGOTTEN = {
    "zh": "已删除为本会话保存的全部内容：{incidents}起事件（评估、报告草稿、义务记录、时间线）、{reminders}条提醒，以及会话状态本身。",
    "en": "Deleted everything stored for this chat: {incidents} incident(s) (assessments, report drafts, duties, timelines), {reminders} reminder(s), and the conversation state itself.",
}
UNKNOWN_COMMAND = {
    "zh": "没有这个命令。可用命令：{commands}",
    "en": "Unknown command. Commands: {commands}",
}

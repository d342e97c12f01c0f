/**
 * The vocabularies every organisation starts with. Codes are stable identifiers stored in records:
 * never rename or remove one here (an organisation retires a term instead); add new terms freely.
 * Labels are English, Uyghur in Arabic script, and Simplified Chinese.
 */

export const VOCABULARIES = [
  "violation-types", "involvement-roles", "source-types", "place-types", "ethnicities", "languages",
  "custody-statuses", "proof-of-life-kinds", "treatment-types", "reliability", "complicity-types", "legal-forums",
] as const;
export type VocabularyName = (typeof VOCABULARIES)[number];

export interface TermLabels {
  en: string;
  ug?: string;
  "zh-Hans"?: string;
}

export interface DefaultTerm {
  code: string;
  labels: Required<TermLabels>;
}

function terms(rows: [code: string, en: string, ug: string, zh: string][]): DefaultTerm[] {
  return rows.map(([code, en, ug, zh]) => ({ code, labels: { en, ug, "zh-Hans": zh } }));
}

export const DEFAULT_TERMS: Record<VocabularyName, DefaultTerm[]> = {
  "violation-types": terms([
    ["killing", "Killing", "ئۆلتۈرۈش", "杀害"],
    ["extrajudicial-execution", "Extrajudicial execution", "سوتسىز ئۆلتۈرۈش", "法外处决"],
    ["death-in-custody", "Death in custody", "قاماقتا ئۆلۈش", "羁押期间死亡"],
    ["arbitrary-arrest", "Arbitrary arrest", "خالىغانچە قولغا ئېلىش", "任意逮捕"],
    ["arbitrary-detention", "Arbitrary detention", "خالىغانچە تۇتۇپ تۇرۇش", "任意拘留"],
    ["enforced-disappearance", "Enforced disappearance", "مەجبۇرىي غايىب قىلىۋېتىش", "强迫失踪"],
    ["torture", "Torture", "قىيىن-قىستاق", "酷刑"],
    ["ill-treatment", "Ill-treatment", "ناچار مۇئامىلە", "虐待"],
    ["sexual-violence", "Sexual violence", "جىنسىي زوراۋانلىق", "性暴力"],
    ["forced-labour", "Forced labour", "مەجبۇرىي ئەمگەك", "强迫劳动"],
    ["forced-sterilisation", "Forced sterilisation or birth control", "مەجبۇرىي تۇغماس قىلىش ياكى تۇغۇتنى چەكلەش", "强迫绝育或节育"],
    ["family-separation", "Family separation", "ئائىلىنى ئايرىۋېتىش", "家庭分离"],
    ["religious-persecution", "Religious persecution", "دىنىي زىيانكەشلىك", "宗教迫害"],
    ["forced-indoctrination", "Forced political indoctrination", "مەجبۇرىي سىياسىي تەربىيە", "强制政治灌输"],
    ["surveillance", "Surveillance", "نازارەت قىلىش", "监控"],
    ["restriction-of-movement", "Restriction of movement", "ھەرىكەت ئەركىنلىكىنى چەكلەش", "限制行动自由"],
    ["harassment-of-relatives", "Harassment of relatives", "تۇغقانلىرىغا پاراكەندىچىلىك سېلىش", "骚扰亲属"],
    ["transnational-repression", "Transnational repression", "دۆلەت ھالقىغان باستۇرۇش", "跨国镇压"],
    ["confiscation-of-property", "Confiscation of property", "مال-مۈلۈكنى مۇسادىرە قىلىش", "没收财产"],
    ["destruction-of-sites", "Destruction of cultural or religious sites", "مەدەنىيەت ياكى دىنىي جايلارنى ۋەيران قىلىش", "破坏文化或宗教场所"],
    ["other", "Other", "باشقا", "其他"],
  ]),
  "involvement-roles": terms([
    ["victim", "Victim", "زىيانكەشلىككە ئۇچرىغۇچى", "受害者"],
    ["alleged-perpetrator", "Alleged perpetrator", "گۇمان قىلىنغان جىنايەتچى", "涉嫌加害者"],
    ["responsible-authority", "Responsible authority", "مەسئۇل ئورگان", "负责机关"],
    ["witness", "Witness", "گۇۋاھچى", "证人"],
    ["relative-of-victim", "Relative of a victim", "زىيانكەشلىككە ئۇچرىغۇچىنىڭ تۇغقىنى", "受害者亲属"],
    ["other", "Other", "باشقا", "其他"],
  ]),
  "source-types": terms([
    ["testimony", "Testimony", "گۇۋاھلىق", "证词"],
    ["interview", "Interview", "سۆھبەت", "访谈"],
    ["document", "Document", "ھۆججەت", "文件"],
    ["official-document", "Official document", "رەسمىي ھۆججەت", "官方文件"],
    ["court-document", "Court document", "سوت ھۆججىتى", "法院文件"],
    ["leaked-document", "Leaked document", "ئاشكارىلانغان ئىچكى ھۆججەت", "泄露文件"],
    ["government-statement", "Government statement", "ھۆكۈمەت باياناتى", "政府声明"],
    ["media-report", "Media report", "ئاخبارات خەۋىرى", "媒体报道"],
    ["ngo-report", "NGO report", "ئاممىۋى تەشكىلات دوكلاتى", "非政府组织报告"],
    ["photograph", "Photograph", "سۈرەت", "照片"],
    ["video", "Video", "سىن", "视频"],
    ["audio", "Audio recording", "ئاۋاز خاتىرىسى", "录音"],
    ["satellite-imagery", "Satellite imagery", "سۈنئىي ھەمراھ سۈرىتى", "卫星图像"],
    ["social-media", "Social media post", "ئىجتىمائىي تاراتقۇ يوللانمىسى", "社交媒体帖子"],
    ["web-page", "Web page", "تور بېتى", "网页"],
    ["other", "Other", "باشقا", "其他"],
  ]),
  "place-types": terms([
    ["detention-facility", "Detention facility", "تۇتۇپ تۇرۇش ئورنى", "拘留设施"],
    ["internment-camp", "Internment camp (“re-education” camp)", "يىغىۋېلىش لاگېرى («قايتا تەربىيەلەش» لاگېرى)", "拘押营（“再教育”营）"],
    ["prison", "Prison", "تۈرمە", "监狱"],
    ["police-station", "Police station", "ساقچىخانا", "派出所"],
    ["convenience-police-station", "Convenience police station", "قولايلىق ساقچى پونكىتى", "便民警务站"],
    ["checkpoint", "Checkpoint", "تەكشۈرۈش پونكىتى", "检查站"],
    ["court", "Court", "سوت", "法院"],
    ["government-office", "Government office", "ھۆكۈمەت ئىدارىسى", "政府机关"],
    ["factory", "Factory", "زاۋۇت", "工厂"],
    ["mosque", "Mosque", "مەسچىت", "清真寺"],
    ["shrine", "Shrine (mazar)", "مازار", "麻扎（圣墓）"],
    ["cemetery", "Cemetery", "قەبرىستانلىق", "墓地"],
    ["school", "School", "مەكتەپ", "学校"],
    ["hospital", "Hospital", "دوختۇرخانا", "医院"],
    ["residence", "Residence", "ئولتۇراق جاي", "住所"],
    ["village", "Village", "كەنت", "村"],
    ["township", "Township", "يېزا", "乡镇"],
    ["county", "County", "ناھىيە", "县"],
    ["city", "City", "شەھەر", "城市"],
    ["border-crossing", "Border crossing", "چېگرا ئېغىزى", "边境口岸"],
    ["other", "Other", "باشقا", "其他"],
  ]),
  ethnicities: terms([
    ["uyghur", "Uyghur", "ئۇيغۇر", "维吾尔族"],
    ["kazakh", "Kazakh", "قازاق", "哈萨克族"],
    ["kyrgyz", "Kyrgyz", "قىرغىز", "柯尔克孜族"],
    ["uzbek", "Uzbek", "ئۆزبېك", "乌孜别克族"],
    ["tatar", "Tatar", "تاتار", "塔塔尔族"],
    ["tajik", "Tajik", "تاجىك", "塔吉克族"],
    ["hui", "Hui", "خۇيزۇ", "回族"],
    ["tibetan", "Tibetan", "تىبەت", "藏族"],
    ["mongol", "Mongol", "موڭغۇل", "蒙古族"],
    ["xibe", "Xibe", "شىبە", "锡伯族"],
    ["han", "Han", "خەنزۇ", "汉族"],
    ["other", "Other", "باشقا", "其他"],
  ]),
  // ISO 639-3 codes, as Source.language takes them.
  languages: terms([
    ["uig", "Uyghur", "ئۇيغۇرچە", "维吾尔语"],
    ["zho", "Chinese", "خەنزۇچە", "中文"],
    ["kaz", "Kazakh", "قازاقچە", "哈萨克语"],
    ["kir", "Kyrgyz", "قىرغىزچە", "柯尔克孜语"],
    ["uzb", "Uzbek", "ئۆزبېكچە", "乌兹别克语"],
    ["tat", "Tatar", "تاتارچە", "塔塔尔语"],
    ["tgk", "Tajik", "تاجىكچە", "塔吉克语"],
    ["bod", "Tibetan", "تىبەتچە", "藏语"],
    ["mon", "Mongolian", "موڭغۇلچە", "蒙古语"],
    ["tur", "Turkish", "تۈركچە", "土耳其语"],
    ["rus", "Russian", "رۇسچە", "俄语"],
    ["eng", "English", "ئىنگلىزچە", "英语"],
    ["ara", "Arabic", "ئەرەبچە", "阿拉伯语"],
    ["fas", "Persian", "پارسچە", "波斯语"],
    ["urd", "Urdu", "ئوردۇچە", "乌尔都语"],
    ["deu", "German", "گېرمانچە", "德语"],
    ["fra", "French", "فىرانسۇزچە", "法语"],
    ["jpn", "Japanese", "ياپونچە", "日语"],
  ]),
  // Detainee monitoring (src/monitor). The monitor gives some codes a meaning of their own:
  // released, released-restricted and died-in-custody end a detention; transferred with no
  // facility, and disappeared, raise the "taken to an unknown place" alert.
  "custody-statuses": terms([
    ["taken", "Taken", "ئېلىپ كېتىلگەن", "被带走"],
    ["incommunicado", "Held incommunicado", "سىرتقى دۇنيا بىلەن ئالاقىسى ئۈزۈلگەن ھالدا تۇتۇلغان", "被隔离羁押"],
    ["in-custody", "In custody at a known facility", "مەلۇم ئورۇندا قاماقتا", "关押于已知设施"],
    ["charged", "Charged", "ئەيىبلەنگەن", "被起诉"],
    ["tried", "Tried", "سوتلانغان", "受审"],
    ["sentenced", "Sentenced", "كېسىلگەن", "被判刑"],
    ["transferred", "Transferred", "يۆتكەلگەن", "被转移"],
    ["released", "Released", "قويۇپ بېرىلگەن", "获释"],
    ["released-restricted", "Released under restrictions", "چەكلىمە بىلەن قويۇپ بېرىلگەن", "有条件获释"],
    ["died-in-custody", "Died in custody", "قاماقتا ئۆلگەن", "羁押期间死亡"],
    ["disappeared", "Disappeared", "غايىب قىلىۋېتىلگەن", "失踪"],
    ["unknown", "Unknown", "نامەلۇم", "不明"],
  ]),
  "proof-of-life-kinds": terms([
    ["seen", "Seen", "كۆرۈلگەن", "被看到"],
    ["heard-from", "Heard from (call, letter, message)", "خەۋىرى كەلگەن (تېلېفون، خەت، ئۇچۇر)", "有音讯（电话、信件、消息）"],
    ["visited", "Visited", "يوقلانغان", "被探视"],
    ["image", "Photograph or video", "سۈرەت ياكى سىن", "照片或视频"],
    ["official-statement", "Official statement", "رەسمىي بايانات", "官方声明"],
    ["other", "Other", "باشقا", "其他"],
  ]),
  "treatment-types": terms([
    ["torture", "Torture", "قىيىن-قىستاق", "酷刑"],
    ["ill-treatment", "Ill-treatment", "ناچار مۇئامىلە", "虐待"],
    ["denial-of-medical-care", "Denial of medical care", "داۋالىنىش ھوقۇقىدىن مەھرۇم قىلىش", "拒绝医疗"],
    ["forced-labour", "Forced labour", "مەجبۇرىي ئەمگەك", "强迫劳动"],
    ["solitary-confinement", "Solitary confinement", "يالغۇز قاماش", "单独监禁"],
    ["denial-of-family-visits", "Denial of family visits", "ئائىلە يوقلىشىنى چەكلەش", "拒绝家属探视"],
    ["forced-indoctrination", "Forced political indoctrination", "مەجبۇرىي سىياسىي تەربىيە", "强制政治灌输"],
    ["sexual-violence", "Sexual violence", "جىنسىي زوراۋانلىق", "性暴力"],
    ["other", "Other", "باشقا", "其他"],
  ]),
  reliability: terms([
    ["confirmed", "Confirmed", "جەزملەشتۈرۈلگەن", "已证实"],
    ["probable", "Probable", "ئېھتىمال", "很可能"],
    ["unconfirmed", "Unconfirmed", "جەزملەشتۈرۈلمىگەن", "未证实"],
  ]),
  // Where a legal case is brought (src/accountability/cases.ts).
  "legal-forums": terms([
    ["icc", "International Criminal Court", "خەلقئارا جىنايى ئىشلار سوت مەھكىمىسى", "国际刑事法院"],
    ["universal-jurisdiction", "National court (universal jurisdiction)", "دۆلەت سوتى (ئومۇمىي قانۇن ھوقۇقى)", "国家法院（普遍管辖权）"],
    ["civil-court", "Civil court", "ھەق تەلەپ سوتى", "民事法院"],
    ["un-treaty-body", "UN treaty body", "ب د ت شەرتنامە ئورگىنى", "联合国条约机构"],
    ["regional-court", "Regional human rights court", "رايونلۇق كىشىلىك ھوقۇق سوتى", "区域人权法院"],
    ["other", "Other", "باشقا", "其他"],
  ]),
  // The complicity registry (src/accountability): how an organisation takes part in the repression.
  "complicity-types": terms([
    ["surveillance-technology", "Surveillance technology", "نازارەت قىلىش تېخنىكىسى", "监控技术"],
    ["forced-labour-supply-chain", "Forced-labour supply chain", "مەجبۇرىي ئەمگەك تەمىنات زەنجىرى", "强迫劳动供应链"],
    ["facilities", "Construction or operation of facilities", "ئەسلىھەلەرنى قۇرۇش ياكى باشقۇرۇش", "设施的建造或运营"],
    ["financing", "Financing", "مەبلەغ بىلەن تەمىنلەش", "融资"],
    ["data-sharing", "Data sharing", "سانلىق مەلۇمات ھەمبەھىرلەش", "数据共享"],
    ["diplomatic-cover", "Diplomatic cover", "دىپلوماتىك قوغداش", "外交掩护"],
    ["transnational-repression", "Transnational repression", "دۆلەت ھالقىغان باستۇرۇش", "跨国镇压"],
  ]),
};

/** Which properties take their values from which vocabulary, by the property's qualified name. */
export const VOCABULARY_OF_PROPERTY: Record<string, VocabularyName> = {
  "Incident:violation": "violation-types",
  "Involvement:role": "involvement-roles",
  "Source:sourceType": "source-types",
  "Source:language": "languages",
  "Address:placeType": "place-types",
  "Person:ethnicity": "ethnicities",
  "CustodyStatus:status": "custody-statuses",
  "ProofOfLife:kind": "proof-of-life-kinds",
  "ProofOfLife:reliability": "reliability",
  "Source:reliability": "reliability",
  "TreatmentReport:treatment": "treatment-types",
  "LegalCase:forum": "legal-forums",
  "Complicity:complicityType": "complicity-types",
  "Complicity:reliability": "reliability",
};

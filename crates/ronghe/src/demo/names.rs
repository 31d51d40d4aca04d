//! Word lists for the demo group: common surnames (weighted roughly as in
//! the population), given-name characters, and the posts of a coal group.
//! Every person and organisation the demo makes is fictional.

/// Surnames with relative weights.
pub const SURNAMES: &[(&str, u32)] = &[
    ("王", 72),
    ("李", 71),
    ("张", 68),
    ("刘", 54),
    ("陈", 45),
    ("杨", 33),
    ("赵", 22),
    ("黄", 22),
    ("周", 21),
    ("吴", 21),
    ("徐", 16),
    ("孙", 15),
    ("胡", 13),
    ("朱", 12),
    ("高", 12),
    ("林", 11),
    ("何", 11),
    ("郭", 11),
    ("马", 11),
    ("罗", 9),
    ("梁", 8),
    ("宋", 8),
    ("郑", 8),
    ("谢", 7),
    ("韩", 7),
    ("唐", 7),
    ("冯", 7),
    ("于", 6),
    ("董", 6),
    ("萧", 6),
    ("程", 6),
    ("曹", 6),
    ("袁", 6),
    ("邓", 6),
    ("许", 6),
    ("傅", 5),
    ("沈", 5),
    ("曾", 5),
    ("彭", 5),
    ("吕", 5),
    ("苏", 5),
    ("卢", 5),
    ("蒋", 5),
    ("蔡", 5),
    ("贾", 4),
    ("丁", 4),
    ("魏", 4),
    ("薛", 4),
    ("叶", 4),
    ("阎", 4),
    ("余", 4),
    ("潘", 4),
    ("杜", 4),
    ("戴", 4),
    ("夏", 3),
    ("钟", 3),
    ("汪", 3),
    ("田", 3),
    ("任", 3),
    ("姜", 3),
    ("范", 3),
    ("方", 3),
    ("石", 3),
    ("姚", 3),
    ("谭", 3),
    ("廖", 3),
    ("邹", 3),
    ("熊", 3),
    ("金", 3),
    ("陆", 3),
    ("郝", 3),
    ("孔", 3),
    ("白", 3),
    ("崔", 3),
    ("康", 3),
    ("毛", 3),
    ("邱", 3),
    ("秦", 3),
    ("江", 3),
    ("史", 3),
];

pub const GIVEN_MALE: &str = "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘";
pub const GIVEN_FEMALE: &str = "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝丽阳妮宝贝初程梵罡恒鸿桦骅剑娇纪宽苛灵玛媚琪晴容睿烁堂唯威韦雯苇萱阅彦宇雨洋忠宗曼紫逸";

/// The regions of the demo's identity numbers (cities of Henan).
pub const REGIONS: &[u32] = &[
    410802, 410803, 410804, 410811, 410821, 410822, 410823, 410825, 410882, 410883, 410102, 410103, 410105, 410711,
    410721, 410782, 410611, 410621, 410881, 410522,
];

/// Branch templates for each kind of unit: (name, code suffix, kind of work).
pub const MINE_BRANCHES: &[(&str, &str, Work)] = &[
    ("综采一队", "ZC1", Work::Face),
    ("综采二队", "ZC2", Work::Face),
    ("综掘一队", "ZJ1", Work::Heading),
    ("综掘二队", "ZJ2", Work::Heading),
    ("开拓队", "KT", Work::Heading),
    ("通风队", "TF", Work::Ventilation),
    ("运输队", "YS", Work::Transport),
    ("安监站", "AJ", Work::Safety),
    ("调度室", "DD", Work::Office),
    ("地测科", "DC", Work::Technical),
    ("选煤厂", "XM", Work::Processing),
    ("后勤服务中心", "HQ", Work::Service),
    ("机关第一", "JG1", Work::Office),
    ("机关第二", "JG2", Work::Office),
    ("退休第一", "TX1", Work::Retired),
    ("退休第二", "TX2", Work::Retired),
];
/// A mine's electromechanical branches sit in a general branch.
pub const MINE_GENERAL_BRANCH: (&str, &str, &[(&str, &str, Work)]) =
    ("机电", "JD", &[("机电一队", "JD1", Work::Electrical), ("机电二队", "JD2", Work::Electrical)]);
pub const PLANT_BRANCHES: &[(&str, &str, Work)] = &[
    ("运行一值", "YX1", Work::Operation),
    ("运行二值", "YX2", Work::Operation),
    ("运行三值", "YX3", Work::Operation),
    ("运行四值", "YX4", Work::Operation),
    ("检修一", "JX1", Work::Electrical),
    ("检修二", "JX2", Work::Electrical),
    ("燃料", "RL", Work::Transport),
    ("化学", "HX", Work::Technical),
    ("热工", "RG", Work::Technical),
    ("安全环保", "AH", Work::Safety),
    ("机关", "JG", Work::Office),
    ("退休", "TX", Work::Retired),
];
pub const TOURISM_BRANCHES: &[(&str, &str, Work)] = &[
    ("景区运营", "JQ", Work::Tourism),
    ("红色教育基地", "HJ", Work::Tourism),
    ("游客服务中心", "YK", Work::Tourism),
    ("文创产品", "WC", Work::Service),
    ("酒店餐饮", "JD", Work::Service),
    ("工业遗产保护", "YC", Work::Technical),
    ("建材", "JC", Work::Processing),
    ("物业", "WY", Work::Service),
    ("机关", "JG", Work::Office),
    ("退休", "TX", Work::Retired),
];
pub const HQ_BRANCHES: &[(&str, &str, Work)] = &[
    ("办公室", "BGS", Work::Office),
    ("党群工作部", "DQ", Work::Office),
    ("人力资源部", "RL", Work::Office),
    ("财务部", "CW", Work::Office),
    ("生产技术部", "SJ", Work::Technical),
    ("安全监察局", "AJ", Work::Safety),
    ("纪检监察室", "JJ", Work::Office),
    ("离退休", "TX", Work::Retired),
];

/// Fictional place names for the mines a larger demo adds.
pub const PLACES: &str = "东岭西坪北岗南塬古汉赵固九里演马冯营韩王方庄李封朱村白庄鑫源恒泰宏达金岭青峰云台太行丹河沁阳修武博爱武陟温县孟州济源新乡鹤壁淇滨";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    Face,
    Heading,
    Ventilation,
    Transport,
    Electrical,
    Safety,
    Office,
    Technical,
    Processing,
    Service,
    Operation,
    Tourism,
    Retired,
}

impl Work {
    pub fn posts(self) -> &'static [&'static str] {
        match self {
            Work::Face => &["采煤机司机", "液压支架工", "采煤工", "刮板输送机司机", "班组长", "队长", "技术员"],
            Work::Heading => &["掘进机司机", "掘进工", "锚杆支护工", "爆破工", "班组长", "队长", "技术员"],
            Work::Ventilation => &["通风工", "瓦斯检查工", "测风工", "防突工", "班组长", "技术员"],
            Work::Transport => &["胶带输送机司机", "绞车司机", "信号工", "把钩工", "班组长"],
            Work::Electrical => &["电工", "机电维修工", "钳工", "焊工", "班组长", "工程师"],
            Work::Safety => &["安全员", "安全检查员", "质量标准化专员", "站长"],
            Work::Office => &["科员", "主管", "副主任", "主任", "调度员", "经济师"],
            Work::Technical => &["技术员", "工程师", "高级工程师", "测量工", "化验员"],
            Work::Processing => &["洗选工", "压滤工", "装车工", "班组长", "技术员"],
            Work::Service => &["服务员", "厨师", "维修工", "保洁主管", "经理"],
            Work::Operation => &["集控值班员", "值长", "巡检员", "副值", "主值"],
            Work::Tourism => &["讲解员", "票务员", "运营主管", "导游", "策划"],
            Work::Retired => &["退休"],
        }
    }

    pub fn retired(self) -> bool {
        self == Work::Retired
    }
}

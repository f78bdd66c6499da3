//! Acceptance: nashra's search bundle finds every page that Pagefind's own CLI finds over the
//! same pages. A site of bilingual news copy (the sample plus [`STORIES`], written with what
//! real news has: model names with digits, hashtags and handles, URLs, Arabic prefixes, hamza
//! and madda spellings, tashkeel, Arabic-Indic digits, headings, lists, quotes, English
//! inflections) is built, then the Pagefind CLI (1.6.0, from tests/browser's npm packages)
//! indexes the built pages into a bundle of its own outside public/. Every query of
//! [`QUERIES`] runs against both bundles with the same script and WASM code (the pagefind.js
//! nashra ships, tests/search/query.mjs), twice: straight to Pagefind's `search` (the bundles
//! alone), and through the search page's `find` (which also searches the query with its
//! Arabic prefixes peeled, on both sides alike). Only result URLs are compared, so metadata
//! fields (nashra's `forms`, which the CLI also indexes if the pages carry it) do not matter.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use common::{Found, Query, Site};

/// One language's version of a story.
struct Text {
    title: &'static str,
    lead: &'static str,
    heading: &'static str,
    points: [&'static str; 3],
    quote: &'static str,
}

/// A story in Arabic and English (translations of each other).
struct Story {
    name: &'static str,
    date: &'static str,
    regions: &'static [&'static str],
    /// The Arabic version's URL segment, when it is not the file name.
    ar_slug: Option<&'static str>,
    ar: Text,
    en: Text,
}

impl Story {
    /// The Markdown source of one language's version: front matter, lead, a heading, a list
    /// and a quote. (Titles and slugs have no `"` or `\\` to escape in TOML; `{:?}` would
    /// escape the tashkeel.)
    fn source(&self, lang: &str) -> String {
        let (text, slug) = match lang {
            "ar" => (&self.ar, self.ar_slug),
            _ => (&self.en, None),
        };
        let regions: Vec<String> = self.regions.iter().map(|r| format!("{r:?}")).collect();
        let slug = slug.map(|s| format!("slug = \"{s}\"\n")).unwrap_or_default();
        let points: String = text.points.iter().map(|p| format!("- {p}\n")).collect();
        format!(
            "+++\ntitle = \"{}\"\ndate = {}\nregions = [{}]\n{slug}+++\n\n{}\n\n## {}\n\n{points}\n> {}\n",
            text.title,
            self.date,
            regions.join(", "),
            text.lead,
            text.heading,
            text.quote,
        )
    }
}

const STORIES: &[Story] = &[
    Story {
        name: "ios-12-update",
        date: "2018-09-17",
        regions: &[],
        ar_slug: None,
        ar: Text {
            title: "آبل تطلق نظام iOS 12 لأجهزة آيفون وآيباد",
            lead: "أطلقت شركة آبل مساء الاثنين تحديث iOS 12 لمستخدمي هواتف آيفون وأجهزة آيباد، ووعدت بأداء أسرع على الأجهزة القديمة. ويمكن تنزيل التحديث من الإعدادات أو الاطلاع على تفاصيله عبر https://www.apple.com/ios/ios-12/ على موقع الشركة.",
            heading: "ما الجديد في التحديث",
            points: [
                "تطبيقات أسرع بنسبة تصل إلى ٤٠٪ عند الفتح",
                "ميزة «مدة استخدام الجهاز» للحد من الإدمان على الهاتف",
                "دعم هواتف iPhone 5s وما بعدها",
            ],
            quote: "قال مسؤول في الشركة إن «التحديث هو الأكبر من حيث الأداء منذ سنوات».",
        },
        en: Text {
            title: "Apple releases iOS 12 for iPhone and iPad",
            lead: "Apple released the iOS 12 update for iPhone and iPad users on Monday, promising faster performance on older devices. The update can be downloaded from Settings, and its details are listed at https://www.apple.com/ios/ios-12/ on the company's site.",
            heading: "What the update brings",
            points: [
                "Apps that launch up to 40% faster",
                "Screen Time, a feature that limits how long phones are used",
                "Support for the iPhone 5s and later models",
            ],
            quote: r#""This is the biggest performance update in years," a company official said."#,
        },
    },
    Story {
        name: "galaxy-s9-launch",
        date: "2018-02-25",
        regions: &[],
        ar_slug: None,
        ar: Text {
            title: "سامسونج تكشف عن هاتفي Galaxy S9 وS9+ في برشلونة",
            lead: "كشفت سامسونج في مؤتمر الجوال العالمي ببرشلونة عن هاتفيها الجديدين Galaxy S9 وGalaxy S9+، على أن تبدأ المبيعات في ١٦ مارس ٢٠١٨ بسعر يبدأ من ٧١٩ دولارًا.",
            heading: "المواصفات الرئيسية",
            points: [
                "معالج Exynos 9810 أو Snapdragon 845 بحسب السوق",
                "كاميرا بفتحة عدسة متغيرة للتصوير في الإضاءة المنخفضة",
                "شاشة بقياس ٥٫٨ إنشات",
            ],
            quote: "وقال أحد المحللين: «لم تأتِ الشركة بتغييرات كبيرة في التصميم، لكن الكاميرا تستحق الاهتمام».",
        },
        en: Text {
            title: "Samsung unveils the Galaxy S9 and S9+ in Barcelona",
            lead: "Samsung unveiled its new Galaxy S9 and Galaxy S9+ phones at Mobile World Congress in Barcelona, with sales starting on 16 March 2018 at a price of $719.",
            heading: "Key specifications",
            points: [
                "An Exynos 9810 or Snapdragon 845 processor depending on the market",
                "A camera with a variable aperture for shooting in low light",
                "A 5.8-inch display",
            ],
            quote: r#""The design changes are small, but the camera deserves attention," one analyst said."#,
        },
    },
    Story {
        name: "turkey-f16-request",
        date: "2021-10-08",
        regions: &[],
        ar_slug: None,
        ar: Text {
            title: "تركيا تطلب ٤٠ مقاتلة F-16 من الولايات المتحدة",
            lead: "تقدمت أنقرة بطلب رسمي لشراء ٤٠ مقاتلة من طراز F-16 وقرابة ٨٠ مجموعة تحديث لطائراتها الحالية، بعد إخراجها من برنامج المقاتلة F-35 إثر شرائها منظومة S-400 الروسية.",
            heading: "عقبات في الكونغرس",
            points: [
                "اعتراض عدد من أعضاء الكونغرس على الصفقة",
                "مطالبة اليونان بضمانات لأمن أجوائها",
                "ربط الموافقة بملف انضمام السويد إلى حلف الناتو",
            ],
            quote: "قال وزير الدفاع التركي: «لا نريد أن نُرغَم على البحث عن بدائل».",
        },
        en: Text {
            title: "Turkey requests 40 F-16 fighter jets from the United States",
            lead: "Ankara has formally requested to buy 40 F-16 fighters and nearly 80 modernisation kits for its existing aircraft, after it was removed from the F-35 programme over its purchase of Russia's S-400 system.",
            heading: "Obstacles in Congress",
            points: [
                "Several members of Congress objected to the sale",
                "Greece asked for guarantees for its airspace",
                "Approval was tied to Sweden's bid to join NATO",
            ],
            quote: r#""We do not want to be forced to look for alternatives," Turkey's defence minister said."#,
        },
    },
    Story {
        name: "morocco-mq9b",
        date: "2024-04-10",
        regions: &[],
        ar_slug: None,
        ar: Text {
            title: "المغرب يقتني طائرات مسيّرة من طراز MQ-9B",
            lead: "أفادت تقارير بأن المغرب وقّع صفقة لاقتناء طائرات مسيّرة من طراز MQ-9B SkyGuardian من شركة General Atomics الأمريكية، في إطار تحديث قدرات المراقبة لدى القوات المسلحة الملكية.",
            heading: "قدرات الطائرة",
            points: [
                "التحليق لأكثر من ٣٠ ساعة متواصلة",
                "حمل صواريخ Hellfire وقنابل موجهة",
                "العمل في أجواء مدنية وفق معايير حلف الناتو",
            ],
            quote: "قال خبير عسكري: «هذه الطائرات تغيّر موازين المراقبة في الصحراء».",
        },
        en: Text {
            title: "Morocco acquires MQ-9B drones",
            lead: "Morocco has reportedly signed a deal to acquire MQ-9B SkyGuardian drones from the American company General Atomics, as part of an upgrade of the Royal Armed Forces' surveillance capabilities.",
            heading: "What the drone can do",
            points: [
                "Flying for more than 30 hours without landing",
                "Carrying Hellfire missiles and guided bombs",
                "Operating in civilian airspace under NATO standards",
            ],
            quote: r#""These drones change the balance of surveillance over the desert," a military expert said."#,
        },
    },
    Story {
        name: "su24m-libya",
        date: "2020-05-26",
        regions: &["russia"],
        ar_slug: None,
        ar: Text {
            title: "قاذفات Su-24M روسية تصل إلى قاعدة الجفرة في ليبيا",
            lead: "نشرت القيادة الأمريكية في أفريقيا صورًا قالت إنها لقاذفات Su-24M ومقاتلات MiG-29 روسية هبطت في قاعدة الجفرة بعد أن أُعيد طلاؤها في سوريا لإخفاء هويتها.",
            heading: "تحذير أمريكي",
            points: [
                "الطائرات أقلعت من قاعدة حميميم في سوريا",
                "توقفت في شرق ليبيا قبل وصولها إلى الجفرة",
                "القيادة الأمريكية عدّت الخطوة تصعيدًا خطيرًا",
            ],
            quote: "وقال قائد القيادة الأمريكية في أفريقيا: «روسيا تحاول قلب الموازين في ليبيا كما فعلت في سوريا».",
        },
        en: Text {
            title: "Russian Su-24M bombers arrive at Libya's al-Jufra base",
            lead: "US Africa Command released images it said showed Russian Su-24M bombers and MiG-29 fighters landing at al-Jufra air base after being repainted in Syria to hide their origin.",
            heading: "A US warning",
            points: [
                "The aircraft took off from Hmeimim air base in Syria",
                "They stopped in eastern Libya before flying on to al-Jufra",
                "AFRICOM called the move a dangerous escalation",
            ],
            quote: r#""Russia is trying to tip the scales in Libya just as it did in Syria," the AFRICOM commander said."#,
        },
    },
    Story {
        name: "burkina-t72b3",
        date: "2024-06-03",
        regions: &["burkina-faso", "russia"],
        ar_slug: None,
        ar: Text {
            title: "بوركينا فاسو تتسلم دبابات T-72B3 وناقلات BTR-80",
            lead: "تسلّم الجيش البوركيني شحنة من دبابات T-72B3 وناقلات الجنود BTR-80، في إطار اتفاق التعاون العسكري مع روسيا الذي وُقّع العام الماضي، بالتزامن مع وصول مدربين من الفيلق الأفريقي إلى واغادوغو.",
            heading: "تعزيز القدرات البرية",
            points: [
                "دبابات محدّثة بأنظمة رؤية ليلية",
                "ناقلات جنود للدوريات في الشمال",
                "برامج تدريب يشرف عليها مدربون روس",
            ],
            quote: "قال ضابط بوركيني: «هذه المعدات تمنح جنودنا الثقة في مواجهة الإرهابيين».",
        },
        en: Text {
            title: "Burkina Faso takes delivery of T-72B3 tanks and BTR-80 carriers",
            lead: "Burkina Faso's army has received a shipment of T-72B3 tanks and BTR-80 personnel carriers under a military cooperation agreement signed with Russia last year, as instructors from the Africa Corps arrived in Ouagadougou.",
            heading: "Strengthening ground forces",
            points: [
                "Tanks upgraded with night-vision systems",
                "Troop carriers for patrols in the north",
                "Training programmes run by Russian instructors",
            ],
            quote: r#""This equipment gives our soldiers confidence against the terrorists," a Burkinabe officer said."#,
        },
    },
    Story {
        name: "boeing-737-max-grounded",
        date: "2019-03-13",
        regions: &[],
        ar_slug: None,
        ar: Text {
            title: "دول عدة توقف تشغيل طائرات Boeing 737 MAX بعد كارثة الإثيوبية",
            lead: "أعلنت دول عدة، بينها الصين والاتحاد الأوروبي، تعليق رحلات طائرات Boeing 737 MAX 8 بعد تحطم طائرة تابعة للخطوط الجوية الإثيوبية قرب أديس أبابا، وهي الكارثة الثانية لهذا الطراز في أقل من خمسة أشهر.",
            heading: "تسلسل الأحداث",
            points: [
                "تحطم رحلة ليون إير في إندونيسيا في أكتوبر ٢٠١٨",
                "تحطم رحلة الإثيوبية ٣٠٢ في مارس ٢٠١٩",
                "تركيز التحقيقات على نظام MCAS",
            ],
            quote: "جاء في بيان هيئة الطيران المدني: «سلامة الركاب تأتي أولًا».",
        },
        en: Text {
            title: "Countries ground Boeing 737 MAX jets after Ethiopian crash",
            lead: "Several countries, including China and the European Union, suspended flights by Boeing 737 MAX 8 aircraft after an Ethiopian Airlines jet crashed near Addis Ababa, the second disaster involving the model in less than five months.",
            heading: "How events unfolded",
            points: [
                "Lion Air's flight crashed in Indonesia in October 2018",
                "Ethiopian Airlines flight 302 crashed in March 2019",
                "Investigators focused on the MCAS system",
            ],
            quote: r#""Passenger safety comes first," the civil aviation authority said in a statement."#,
        },
    },
    Story {
        name: "boycott-hashtag-niger",
        date: "2023-08-05",
        regions: &["niger", "france"],
        ar_slug: None,
        ar: Text {
            title: "وسم #BoycottUSA يتصدر مواقع التواصل في النيجر",
            lead: "تصدّر وسم #BoycottUSA مواقع التواصل الاجتماعي في النيجر خلال الأسبوع الماضي، إلى جانب وسم #FranceDégage، بعد أن طالب ناشطون بمقاطعة البضائع الأمريكية والفرنسية ردًّا على تهديد المجموعة الاقتصادية لدول غرب أفريقيا بالتدخل العسكري.",
            heading: "حملة على الإنترنت",
            points: [
                "أكثر من ١٢٠ ألف تغريدة خلال ثلاثة أيام",
                "دعوات إلى التظاهر أمام السفارات",
                "حسابات مؤيدة للمجلس العسكري تروّج للوسم",
            ],
            quote: "كتب أحد الناشطين: «قرارنا بأيدينا، ولن نقبل الوصاية من أحد».",
        },
        en: Text {
            title: "#BoycottUSA trends on social media in Niger",
            lead: "The hashtag #BoycottUSA topped social media in Niger last week, alongside #FranceDégage, as activists called for a boycott of American and French goods in response to the West African bloc's threat of military intervention.",
            heading: "An online campaign",
            points: [
                "More than 120,000 tweets in three days",
                "Calls for protests outside the embassies",
                "Accounts supporting the junta promoted the hashtag",
            ],
            quote: r#""Our decisions are ours to make, and we will accept no one's tutelage," one activist wrote."#,
        },
    },
    Story {
        name: "potus-niger-statement",
        date: "2023-07-28",
        regions: &["niger"],
        ar_slug: None,
        ar: Text {
            title: "البيت الأبيض يدعو إلى الإفراج عن رئيس النيجر",
            lead: "نشر حساب @POTUS والحساب الرسمي للبيت الأبيض @WhiteHouse بيانًا يدعو إلى الإفراج الفوري عن رئيس النيجر محمد بازوم، مؤكدًا أن المساعدات الأمريكية للنيجر باتت على المحك.",
            heading: "موقف واشنطن",
            points: [
                "تعليق جزء من برامج المساعدات",
                "التنسيق مع المجموعة الاقتصادية لدول غرب أفريقيا",
                "الإبقاء على القوات الأمريكية في قاعدة أغاديز حتى إشعار آخر",
            ],
            quote: "جاء في البيان: «نقف إلى جانب شعب النيجر وحكومته المنتخبة ديمقراطيًا».",
        },
        en: Text {
            title: "The White House calls for the release of Niger's president",
            lead: "The @POTUS account and the official @WhiteHouse account posted a statement calling for the immediate release of Niger's President Mohamed Bazoum, saying US assistance to Niger was at stake.",
            heading: "Washington's position",
            points: [
                "Part of the aid programmes suspended",
                "Coordination with the Economic Community of West African States",
                "US troops kept at the Agadez base until further notice",
            ],
            quote: r#""We stand with the people of Niger and their democratically elected government," the statement read."#,
        },
    },
    Story {
        name: "niger-coup-army",
        date: "2023-07-27",
        regions: &["niger"],
        ar_slug: Some("انقلاب-النيجر"),
        ar: Text {
            title: "الجيش يعلن عزل الرئيس في النيجر",
            lead: "أعلن عسكريون في النيجر عبر التلفزيون الرسمي عزل الرئيس محمد بازوم وإغلاق الحدود، فيما أكدت قيادة الأركان أنها تقف بالجيش إلى جانب المجلس العسكري «حفاظًا على وحدة البلاد». وكالعادة في مثل هذه الأحداث، عُلّق العمل بالدستور.",
            heading: "ردود الفعل",
            points: [
                "المجموعة الاقتصادية لدول غرب أفريقيا تمهل العسكريين أسبوعًا",
                "فرنسا والنيجر تعلقان التعاون الأمني",
                "مظاهرات في نيامي تأييدًا للمجلس العسكري ولقائده",
            ],
            quote: "قال متحدث باسم المجلس: «ولاؤنا للوطن وللرئيس الذي يختاره الشعب، لا للخارج».",
        },
        en: Text {
            title: "Army announces the removal of Niger's president",
            lead: r#"Soldiers in Niger announced on state television that President Mohamed Bazoum had been removed and the borders closed, while the army command said it stood with the junta "to preserve the country's unity". As usual in such events, the constitution was suspended."#,
            heading: "Reactions",
            points: [
                "The West African bloc gives the soldiers a week",
                "France and Niger suspend security cooperation",
                "Demonstrations in Niamey in support of the junta and its leader",
            ],
            quote: r#""Our loyalty is to the nation and to the president the people choose, not to foreigners," a junta spokesman said."#,
        },
    },
    Story {
        name: "chad-elections",
        date: "2024-05-10",
        regions: &["chad"],
        ar_slug: None,
        ar: Text {
            title: "تشاد تنتخب رئيسًا بعد ثلاث سنوات من الحكم الانتقالي",
            lead: "أعلنت الوكالة الوطنية للانتخابات في تشاد فوز محمد إدريس ديبي بالانتخابات الرئاسية بنسبة ٦١٪ من الأصوات، فيما طعن منافسه سيكسيه ماسرا في النتائج، وتبادل الطرفان الاتهامات بالتزوير كالعادة.",
            heading: "نتائج الاقتراع",
            points: [
                "نسبة المشاركة تجاوزت ٧٥٪",
                "رُفع شعار «تَشَادُ أَوَّلًا» في الحملة الانتخابية",
                "المعارضة تدعو أنصارها إلى الهدوء",
            ],
            quote: "قال ماسرا: «إنَّ الشَّعْبَ قَالَ كَلِمَتَهُ، وَسَنُدَافِعُ عَنْهَا».",
        },
        en: Text {
            title: "Chad elects a president after three years of transitional rule",
            lead: "Chad's national election agency declared Mahamat Idriss Déby the winner of the presidential election with 61% of the vote, while his rival Succès Masra challenged the results. As usual, both sides traded accusations of fraud.",
            heading: "The results",
            points: [
                "Turnout exceeded 75%",
                "The campaign slogan was Chad First",
                "The opposition urged its supporters to stay calm",
            ],
            quote: r#""The people have spoken, and we will defend their choice," Masra said."#,
        },
    },
    Story {
        name: "algeria-gas-prices",
        date: "2022-09-14",
        regions: &["algeria"],
        ar_slug: None,
        ar: Text {
            title: "الجزائر ترفع أسعار الغاز المصدَّر إلى إيطاليا وإسبانيا",
            lead: "قال مسؤول في شركة سوناطراك إن الجزائر اتفقت مع شركائها الأوروبيين على رفع أسعار الغاز، مع زيادة إنتاج الحقول الجنوبية وحفر آبار جديدة، في ظل أزمة الطاقة التي أعقبت الحرب في أوكرانيا.",
            heading: "أرقام رئيسية",
            points: [
                "إنتاج يتجاوز ١٠٠ مليار متر مكعب سنويًا",
                "رئيس الشركة يتوقع استثمارات بقيمة ٤٠ مليار دولار",
                "خط أنابيب ترانسميد إلى إيطاليا يعمل بطاقته القصوى",
            ],
            quote: "قال رئيس سوناطراك: «لا يمكن لأوروبا الاستغناء عن الغاز الجزائري، وإن ظنّت غير ذلك».",
        },
        en: Text {
            title: "Algeria raises the price of gas exported to Italy and Spain",
            lead: "An official at Sonatrach said Algeria had agreed with its European partners to raise gas prices while increasing production from its southern fields and drilling new wells, amid the energy crisis that followed the war in Ukraine.",
            heading: "Key figures",
            points: [
                "Production above 100 billion cubic metres a year",
                "The company's chief expects investments worth $40 billion",
                "The Transmed pipeline to Italy running at full capacity",
            ],
            quote: r#""Europe cannot do without Algerian gas, even if it thinks otherwise," Sonatrach's chief said."#,
        },
    },
    Story {
        name: "mali-gold-output",
        date: "2018-12-20",
        regions: &["mali"],
        ar_slug: Some("ذهب-مالي"),
        ar: Text {
            title: "إنتاج الذهب في مالي يبلغ مستوى قياسيًا في ٢٠١٨",
            lead: "أعلنت وزارة المناجم في مالي أن إنتاج البلاد من الذهب الصناعي بلغ نحو ٦١ طنًا في عام ٢٠١٨، مقابل ٤٩ طنًا في العام السابق، مدفوعًا بافتتاح منجمين جديدين في الجنوب.",
            heading: "مناجم الجنوب",
            points: [
                "منجم فيكولا يبدأ الإنتاج في الربع الأول",
                "المنقبون التقليديون يستخرجون نحو ٢٠ طنًا إضافية",
                "الذهب يمثل ٧٠٪ من صادرات البلاد",
            ],
            quote: "قال وزير المناجم: «الذهب ثروة الماليين جميعًا، ويجب أن تعود عائداته على القرى».",
        },
        en: Text {
            title: "Mali's gold output hits a record in 2018",
            lead: "Mali's mines ministry said the country's industrial gold production reached about 61 tonnes in 2018, up from 49 tonnes the year before, driven by the opening of two new mines in the south.",
            heading: "The southern mines",
            points: [
                "The Fekola mine starts production in the first quarter",
                "Artisanal miners extract about 20 more tonnes",
                "Gold accounts for 70% of the country's exports",
            ],
            quote: r#""Gold is the wealth of all Malians, and its revenues must reach the villages," the mines minister said."#,
        },
    },
    Story {
        name: "sahel-drought-famine",
        date: "2022-07-02",
        regions: &["niger", "chad"],
        ar_slug: None,
        ar: Text {
            title: "الجفاف يهدد قرى الساحل بمجاعة ويضغط على المستشفيات",
            lead: "حذّرت منظمات إغاثة من أن الجفاف الذي يضرب منطقة الساحل للعام الثالث على التوالي يهدد ملايين السكان بمجاعة، فيما استقبل مستشفى نيامي الوطني مئات الأطفال المصابين بسوء التغذية خلال شهر واحد.",
            heading: "أرقام مقلقة",
            points: [
                "أكثر من ٨ ملايين شخص بحاجة إلى مساعدة غذائية",
                "قرية واحدة من كل ثلاث بلا مياه صالحة للشرب",
                "المدن الكبرى تستقبل موجات من النازحين",
            ],
            quote: "قال الطبيب مصطفى عيسى: «لم نرَ حالات بهذا العدد منذ سنوات، والمستشفى لم يعد يتسع لها».",
        },
        en: Text {
            title: "Drought threatens Sahel villages with famine and strains hospitals",
            lead: "Aid agencies warned that the drought hitting the Sahel for a third year running threatens millions of people with famine, as Niamey's national hospital admitted hundreds of malnourished children in a single month.",
            heading: "Worrying figures",
            points: [
                "More than 8 million people need food aid",
                "One village in three has no safe drinking water",
                "Major cities receive waves of displaced people",
            ],
            quote: r#""We have not seen so many cases in years, and the hospital can no longer hold them," said Dr Moustapha Issa."#,
        },
    },
    Story {
        name: "senegal-elections",
        date: "2024-03-25",
        regions: &[],
        ar_slug: None,
        ar: Text {
            title: "السنغال: مرشح المعارضة يفوز بالانتخابات الرئاسية من الجولة الأولى",
            lead: "فاز مرشح المعارضة باسيرو ديوماي فاي بالانتخابات الرئاسية في السنغال من الجولة الأولى، بعد أسابيع من الأزمة السياسية التي أثارها تأجيل الاقتراع، ليصبح أصغر رئيس في تاريخ البلاد.",
            heading: "مسار الأزمة",
            points: [
                "تأجيل الانتخابات في فبراير ثم إلغاء القرار",
                "الإفراج عن فاي قبل الاقتراع بعشرة أيام",
                "الرئيس المنتهية ولايته يهنئ الفائز",
            ],
            quote: "قال فاي في أول خطاب له: «أتعهد بالحكم بتواضع وشفافية، ومحاربة الفساد على كل المستويات».",
        },
        en: Text {
            title: "Senegal: opposition candidate wins the presidential election in the first round",
            lead: "Opposition candidate Bassirou Diomaye Faye won Senegal's presidential election in the first round, weeks after a political crisis sparked by the postponement of the vote, becoming the youngest president in the country's history.",
            heading: "How the crisis unfolded",
            points: [
                "The election was postponed in February, then the decision was overturned",
                "Faye was released from prison ten days before the vote",
                "The outgoing president congratulated the winner",
            ],
            quote: r#""I pledge to govern with humility and transparency, and to fight corruption at every level," Faye said in his first speech."#,
        },
    },
    Story {
        name: "starlink-chad",
        date: "2024-01-18",
        regions: &["chad"],
        ar_slug: None,
        ar: Text {
            title: "خدمة ستارلينك للإنترنت الفضائي تصل إلى تشاد",
            lead: "حصلت شركة SpaceX على ترخيص لتشغيل خدمة Starlink للإنترنت عبر الأقمار الصناعية في تشاد، ويمكن للمشتركين التسجيل عبر الموقع https://www.starlink.com/td بعد أن كانت الخدمة محظورة في معظم دول المنطقة.",
            heading: "ما الذي يتغير",
            points: [
                "إنترنت سريع في المناطق الريفية والنائية",
                "أسعار اشتراك تبدأ من ٣٠ ألف فرنك شهريًا",
                "مخاوف لدى الشركات المحلية من المنافسة",
            ],
            quote: "قال وزير الاتصالات: «نريد أن يتصل كل تشادي بالإنترنت، أينما كان».",
        },
        en: Text {
            title: "Starlink satellite internet comes to Chad",
            lead: "SpaceX has been licensed to run its Starlink satellite internet service in Chad, and subscribers can sign up at https://www.starlink.com/td, after the service had been banned in most countries of the region.",
            heading: "What changes",
            points: [
                "Fast internet in rural and remote areas",
                "Subscriptions starting at 30,000 francs a month",
                "Local companies worried about the competition",
            ],
            quote: r#""We want every Chadian connected to the internet, wherever they are," the communications minister said."#,
        },
    },
    Story {
        name: "afcon-2024-final",
        date: "2024-02-11",
        regions: &[],
        ar_slug: None,
        ar: Text {
            title: "كوت ديفوار تتوج بكأس أمم أفريقيا ٢٠٢٤ على أرضها",
            lead: "توّج منتخب كوت ديفوار بلقب كأس أمم أفريقيا لكرة القدم بعد فوزه على نيجيريا ٢-١ في النهائي الذي أقيم في أبيدجان، في عودة لافتة بعد أن كاد يودّع البطولة من دورها الأول.",
            heading: "طريق اللقب",
            points: [
                "التأهل إلى ثمن النهائي ضمن أفضل المنتخبات الثالثة",
                "إقالة المدرب خلال البطولة",
                "هدف الفوز سجله سيباستيان هالر",
            ],
            quote: "قال قائد المنتخب: «هذا اللقب للشعب الإيفواري الذي لم يفقد الأمل».",
        },
        en: Text {
            title: "Ivory Coast win the 2024 Africa Cup of Nations at home",
            lead: "Ivory Coast won the Africa Cup of Nations after beating Nigeria 2-1 in the final in Abidjan, a remarkable comeback for a team that nearly went out in the group stage.",
            heading: "The road to the title",
            points: [
                "Qualifying for the last 16 as one of the best third-placed teams",
                "Sacking their coach during the tournament",
                "Sébastien Haller scored the winning goal",
            ],
            quote: r#""This title is for the Ivorian people, who never lost hope," the captain said."#,
        },
    },
    Story {
        name: "cfa-franc-reform",
        date: "2019-12-22",
        regions: &["france"],
        ar_slug: None,
        ar: Text {
            title: "نهاية الفرنك الأفريقي وولادة عملة «إيكو» في غرب أفريقيا",
            lead: "أعلن الرئيس الإيفواري والرئيس الفرنسي في أبيدجان أن ثماني دول في غرب أفريقيا ستتخلى عن الفرنك الأفريقي لصالح عملة جديدة اسمها «إيكو»، وأن البنك المركزي لن يودِع نصف احتياطياته في الخزانة الفرنسية بعد الآن.",
            heading: "ما الذي يتغير",
            points: [
                "انسحاب فرنسا من مجلس إدارة البنك المركزي",
                "الإبقاء على ربط العملة باليورو",
                "موعد أولي لطرح العملة في ٢٠٢٠",
            ],
            quote: "قال الرئيس الإيفواري: «هذا إصلاح تاريخي، وقرار اتخذناه بأنفسنا».",
        },
        en: Text {
            title: "The end of the CFA franc and the birth of the Eco in West Africa",
            lead: "The Ivorian and French presidents announced in Abidjan that eight West African countries would abandon the CFA franc for a new currency called the Eco, and that the central bank would no longer deposit half its reserves with the French Treasury.",
            heading: "What changes",
            points: [
                "France withdraws from the central bank's board",
                "The currency stays pegged to the euro",
                "A provisional launch date in 2020",
            ],
            quote: r#""This is a historic reform, and a decision we took ourselves," the Ivorian president said."#,
        },
    },
    Story {
        name: "malaria-vaccine-r21",
        date: "2023-10-03",
        regions: &[],
        ar_slug: None,
        ar: Text {
            title: "منظمة الصحة العالمية توصي بلقاح R21 المضاد للملاريا",
            lead: "أوصت منظمة الصحة العالمية باستخدام لقاح R21/Matrix-M المضاد للملاريا الذي طورته جامعة أكسفورد، وهو ثاني لقاح يحصل على هذه التوصية بعد لقاح RTS,S، ويُنتظر أن تبدأ حملات التطعيم في عدة دول أفريقية العام المقبل.",
            heading: "لماذا يهم اللقاح",
            points: [
                "الملاريا تقتل نحو ٦٠٠ ألف شخص سنويًا معظمهم أطفال",
                "فعالية اللقاح تصل إلى ٧٥٪ في التجارب",
                "تكلفة الجرعة أقل من ٤ دولارات",
            ],
            quote: "قال المدير العام للمنظمة: «كنت أحلم باليوم الذي يكون فيه لدينا لقاح فعال ضد الملاريا، والآن لدينا لقاحان».",
        },
        en: Text {
            title: "WHO recommends the R21 malaria vaccine",
            lead: "The World Health Organization recommended the R21/Matrix-M malaria vaccine developed by the University of Oxford, the second vaccine to receive this recommendation after RTS,S, with vaccination campaigns expected to start in several African countries next year.",
            heading: "Why the vaccine matters",
            points: [
                "Malaria kills about 600,000 people a year, most of them children",
                "The vaccine was up to 75% effective in trials",
                "A dose costs less than $4",
            ],
            quote: r#""I used to dream of the day we would have a safe and effective vaccine against malaria. Now we have two," the WHO Director-General said."#,
        },
    },
    Story {
        name: "africa-corps-replaces-wagner",
        date: "2024-01-30",
        regions: &["mali", "russia", "burkina-faso"],
        ar_slug: None,
        ar: Text {
            title: "الفيلق الأفريقي يحل محل فاغنر في مالي وبوركينا فاسو",
            lead: "بدأت وزارة الدفاع الروسية نشر قوات «الفيلق الأفريقي» في مالي وبوركينا فاسو لتحل محل مجموعة فاغنر، بعد أشهر من مقتل مؤسسها يفغيني بريغوجين في تحطم طائرته قرب موسكو.",
            heading: "مهام الفيلق",
            points: [
                "حماية القادة العسكريين في العواصم",
                "تدريب الجيوش المحلية على أسلحة روسية",
                "حراسة مناجم الذهب واليورانيوم",
            ],
            quote: "قال محلل روسي: «الفيلق الأفريقي هو فاغنر نفسها، لكن بشعار وزارة الدفاع».",
        },
        en: Text {
            title: "Africa Corps replaces Wagner in Mali and Burkina Faso",
            lead: "Russia's defence ministry has begun deploying Africa Corps forces to Mali and Burkina Faso to replace the Wagner Group, months after its founder Yevgeny Prigozhin was killed when his plane crashed near Moscow.",
            heading: "The corps' missions",
            points: [
                "Protecting military leaders in the capitals",
                "Training local armies on Russian weapons",
                "Guarding gold and uranium mines",
            ],
            quote: r#""Africa Corps is Wagner itself, only with the defence ministry's badge," a Russian analyst said."#,
        },
    },
    Story {
        name: "barsalogho-attack",
        date: "2024-08-26",
        regions: &["burkina-faso"],
        ar_slug: None,
        ar: Text {
            title: "هجوم دامٍ على بلدة بارسالوغو في بوركينا فاسو",
            lead: "قُتل عشرات المدنيين والجنود في هجوم شنّته جماعة «نصرة الإسلام والمسلمين» على بلدة بارسالوغو، بينما كان السكان يحفرون خنادق دفاعية بطلب من الجيش. وتبنّت الجماعة الهجوم في بيان نشرته عبر قناتها على تلغرام.",
            heading: "ما نعرفه حتى الآن",
            points: [
                "المهاجمون وصلوا على دراجات نارية",
                "الهجمات تضاعفت في المنطقة منذ ٢٠٢٢",
                "الحكومة تعلن الحداد الوطني ثلاثة أيام",
            ],
            quote: "قال أحد الناجين: «كانوا يطلقون النار على كل من يتحرك، ولم يكن لدينا ما نحتمي به».",
        },
        en: Text {
            title: "Deadly attack on the town of Barsalogho in Burkina Faso",
            lead: "Dozens of civilians and soldiers were killed when JNIM fighters attacked the town of Barsalogho while residents were digging defensive trenches at the army's request. The group claimed the attack in a statement posted on its Telegram channel.",
            heading: "What we know so far",
            points: [
                "The attackers arrived on motorbikes",
                "Attacks in the area have doubled since 2022",
                "The government declared three days of national mourning",
            ],
            quote: r#""They were shooting at anyone who moved, and we had nowhere to hide," one survivor said."#,
        },
    },
];

/// (language, query, whether the site has what it asks for). Those the site has not are
/// there so that a bundle finding pages for anything at all fails too.
const QUERIES: &[(&str, &str, bool)] = &[
    // Arabic: with and without the prefixes و ف ب ل ك and ال.
    ("ar", "مالي", true),
    ("ar", "النيجر", true),
    ("ar", "والنيجر", true),
    ("ar", "نيجر", true),
    ("ar", "للنيجر", true),
    ("ar", "بالجيش", true),
    ("ar", "الجيش", true),
    ("ar", "جيش", true),
    ("ar", "للرئيس", true),
    ("ar", "الرئيس", true),
    ("ar", "رئيس", true),
    ("ar", "كالعادة", true),
    ("ar", "وكالعادة", true),
    ("ar", "العادة", true),
    ("ar", "بالانتخابات", true),
    ("ar", "الانتخابات", true),
    ("ar", "فالانتخابات", true),
    ("ar", "للمجلس", true),
    ("ar", "المجلس العسكري", true),
    // Hamza and madda spellings, and the same words without them.
    ("ar", "أسعار", true),
    ("ar", "اسعار", true),
    ("ar", "إنتاج", true),
    ("ar", "انتاج", true),
    ("ar", "آبار", true),
    ("ar", "ابار", true),
    ("ar", "مسؤول", true),
    ("ar", "مسئول", true),
    ("ar", "رئيس الشركة", true),
    ("ar", "أفريقيا", true),
    ("ar", "إفريقيا", true),
    // Tashkeel in the query, in the text, or both.
    ("ar", "مُحَمَّد", true),
    ("ar", "محمد", true),
    ("ar", "الشعب", true),
    ("ar", "الشَّعْبَ", true),
    ("ar", "تشاد أولا", true),
    // Digits, ta marbuta and alef maqsura.
    ("ar", "٢٠١٨", true),
    ("ar", "2018", true),
    ("ar", "٢٠٢٤", true),
    ("ar", "مستشفى", true),
    ("ar", "مستشفي", true),
    ("ar", "قرية", true),
    ("ar", "قريه", true),
    ("ar", "الكبرى", true),
    ("ar", "مجاعة", true),
    // Latin names, handles and hashtags inside Arabic text.
    ("ar", "iOS 12", true),
    ("ar", "Galaxy S9", true),
    ("ar", "F-16", true),
    ("ar", "MQ-9B", true),
    ("ar", "Su-24M", true),
    ("ar", "T-72B3", true),
    ("ar", "Boeing 737", true),
    ("ar", "#BoycottUSA", true),
    ("ar", "@POTUS", true),
    ("ar", "starlink.com", true),
    // Two words, and the same as a quoted phrase.
    ("ar", "الفيلق الأفريقي", true),
    ("ar", "\"الفيلق الأفريقي\"", true),
    ("ar", "زلزال", false),
    ("ar", "بركان", false),
    // English: stems and inflections.
    ("en", "Niger", true),
    ("en", "army", true),
    ("en", "armies", true),
    ("en", "attack", true),
    ("en", "attacks", true),
    ("en", "attacked", true),
    ("en", "attacking", true),
    ("en", "drone", true),
    ("en", "drones", true),
    ("en", "country", true),
    ("en", "countries", true),
    ("en", "vaccine", true),
    ("en", "vaccination", true),
    ("en", "vaccinated", true),
    ("en", "presidents", true),
    ("en", "president's", true),
    ("en", "flying", true),
    ("en", "crashes", true),
    // Model names, handles, hashtags, URLs.
    ("en", "iOS 12", true),
    ("en", "iOS", true),
    ("en", "Galaxy S9", true),
    ("en", "S9+", true),
    ("en", "F-16", true),
    ("en", "F16", true),
    ("en", "MQ-9B", true),
    ("en", "Su-24M", true),
    ("en", "T-72B3", true),
    ("en", "Boeing 737", true),
    ("en", "737", true),
    ("en", "R21/Matrix-M", true),
    ("en", "#BoycottUSA", true),
    ("en", "BoycottUSA", true),
    ("en", "@POTUS", true),
    ("en", "POTUS", true),
    ("en", "https://www.apple.com/ios/ios-12/", true),
    ("en", "starlink.com", true),
    // Two words, phrases.
    ("en", "military cooperation", true),
    ("en", "\"Africa Corps\"", true),
    ("en", "\"West African bloc\"", true),
    ("en", "earthquake", false),
    ("en", "xylophone", false),
];

/// The Pagefind CLI of tests/browser's npm packages (a Node script).
fn pagefind_cli() -> PathBuf {
    let node = std::process::Command::new("node").arg("--version").output();
    assert!(
        node.is_ok_and(|out| out.status.success()),
        "Node.js is not installed (this test runs the Pagefind CLI and Pagefind's search script): {}",
        common::INSTALL
    );
    let cli = common::repo().join("tests/browser/node_modules/.bin/pagefind");
    assert!(
        cli.is_file(),
        "the Pagefind CLI is not installed: {}",
        common::INSTALL
    );
    cli
}

/// The sample site with every story of [`STORIES`] in both languages, built.
fn news_site() -> Site {
    let site = Site::sample();
    for story in STORIES {
        for lang in ["ar", "en"] {
            site.write(
                &format!("content/briefings/{}.{lang}.md", story.name),
                story.source(lang),
            );
        }
    }
    site.build(&[]).success();
    site
}

/// A result's page, its URL percent-decoded: Pagefind's CLI and nashra may encode a
/// non-ASCII path differently, and either loads the same page.
fn pages(found: &Found) -> BTreeSet<String> {
    found
        .urls
        .iter()
        .map(|u| {
            percent_encoding::percent_decode_str(u)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect()
}

/// The `version` a bundle's entry file declares.
fn bundle_version(bundle: &std::path::Path) -> String {
    let entry = std::fs::read(bundle.join("pagefind-entry.json")).unwrap();
    let entry: serde_json::Value = serde_json::from_slice(&entry).unwrap();
    entry["version"].as_str().unwrap().to_string()
}

#[test]
fn nashras_bundle_finds_every_page_the_pagefind_cli_finds() {
    let cli = pagefind_cli();
    let site = news_site();
    let cli_bundle = site.root().join("cli-bundle");
    let out = std::process::Command::new(&cli)
        .arg("--site")
        .arg(site.public())
        .arg("--output-path")
        .arg(&cli_bundle)
        .output()
        .expect("the Pagefind CLI runs");
    assert!(
        out.status.success(),
        "pagefind failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // nashra's pagefind.js reads both bundles: they must be of one version.
    let ours_bundle = site.public().join("pagefind");
    assert_eq!(bundle_version(&cli_bundle), bundle_version(&ours_bundle));

    // Every query straight to Pagefind, then through the search page's script; all results.
    let asked: Vec<Query> = [true, false]
        .into_iter()
        .flat_map(|raw| {
            QUERIES.iter().map(move |&(lang, query, _)| Query {
                lang,
                query,
                raw,
                all: true,
            })
        })
        .collect();
    let ours = common::search(&site.public(), None, &asked);
    let theirs = common::search(&site.public(), Some(&cli_bundle), &asked);
    assert_eq!((ours.len(), theirs.len()), (asked.len(), asked.len()));

    let mut failures = Vec::new();
    let mut more = Vec::new();
    let mut found_nothing = Vec::new();
    for (i, (q, (o, t))) in asked.iter().zip(ours.iter().zip(&theirs)).enumerate() {
        let has = QUERIES[i % QUERIES.len()].2;
        let mode = if q.raw { "raw" } else { "page" };
        let (o, t) = (pages(o), pages(t));
        let what = format!("{mode} {} {:?}", q.lang, q.query);
        if !t.is_subset(&o) {
            let lost: Vec<_> = t.difference(&o).collect();
            failures.push(format!("{what}: the CLI's bundle finds {lost:?}, ours does not"));
        }
        if !o.is_subset(&t) {
            let extra: Vec<_> = o.difference(&t).collect();
            more.push(format!("{what}: {extra:?}"));
        }
        if !has && (!o.is_empty() || !t.is_empty()) {
            failures.push(format!(
                "{what}: not on the site, yet ours finds {o:?}, the CLI's {t:?}"
            ));
        }
        if has && t.is_empty() {
            found_nothing.push(what);
        }
    }
    let meant = 2 * QUERIES.iter().filter(|q| q.2).count();
    eprintln!(
        "{} queries, each raw and through the page's script; the CLI's bundle finds pages for {} of the {meant} meant to match\nthe CLI's finds nothing for: {found_nothing:#?}\nours finds pages the CLI's does not: {more:#?}",
        QUERIES.len(),
        meant - found_nothing.len(),
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The comparison means something: the CLI's bundle finds pages for most queries.
    assert!(
        found_nothing.len() * 5 <= meant,
        "the CLI's bundle finds nothing for {} of {meant}: {found_nothing:#?}",
        found_nothing.len()
    );
    // And ours gives excerpts with the match marked.
    for query in ["الجيش", "MQ-9B", "attacked"] {
        let i = QUERIES.iter().position(|q| q.1 == query).unwrap();
        assert!(
            ours[i].excerpts.iter().any(|e| e.contains("<mark>")),
            "{query}: {:?}",
            ours[i]
        );
    }
}

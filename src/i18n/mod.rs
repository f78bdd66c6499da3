//! Dates, digits, calendars (ICU4X) and word counts: what reads naturally per language.
//!
//! Month names, date patterns, era markers and digits all come from the CLDR data compiled into
//! ICU4X, so a locale such as `ar-SY` gets "تشرين الثاني" where plain `ar` gets "نوفمبر" without
//! any table in nashra.

use std::collections::HashMap;
use std::sync::Arc;

use icu::calendar::cal::hijri::UmmAlQura;
use icu::calendar::cal::Hijri;
use icu::calendar::{Date, Gregorian};
use icu::datetime::fieldsets::YMD;
use icu::datetime::FixedCalendarDateTimeFormatter;
use icu::decimal::input::Decimal;
use icu::decimal::DecimalFormatter;
use icu::locale::extensions::unicode::{key, value};
use icu::locale::Locale;
use unicode_segmentation::UnicodeSegmentation;

/// Which digits dates are written in.
///
/// In the data compiled into ICU4X 2.4 (CLDR 49), plain `ar` defaults to Latin digits
/// ("20 نوفمبر 2024"), while `ar-EG`, `ar-SA`, `ar-SY`, `ar-LB`, `ar-IQ` and `ar-JO` default to
/// Arabic-Indic ("٢٠ نوفمبر ٢٠٢٤"); setting this makes the choice explicit instead of depending
/// on the region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Digits {
    /// Latin digits 0-9.
    Latn,
    /// Arabic-Indic digits ٠-٩.
    Arab,
}

/// How one language writes dates; built from nashra.toml's language table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateStyle {
    /// BCP 47 locale whose CLDR data names the months, e.g. "ar" (يناير…) or
    /// "ar-SY"/"ar-LB"/"ar-IQ"/"ar-JO" (كانون الثاني…), "en".
    pub locale: String,
    /// Digits; None = the locale's CLDR default (Latin for plain `ar`, Arabic-Indic for most
    /// Arab regions such as `ar-EG` or `ar-SY`; see [`Digits`]).
    pub digits: Option<Digits>,
    /// Whether the Hijri (Umm al-Qura) date is shown beside the Gregorian one.
    pub hijri: bool,
}

/// Formats dates for one language. Send + Sync: used from rayon threads and inside a Tera filter.
///
/// Both formatters are built once here, because loading patterns and names is the expensive
/// part; formatting afterwards only fills in a pattern.
pub struct DateFormatter {
    style: DateStyle,
    gregorian: FixedCalendarDateTimeFormatter<Gregorian, YMD>,
    hijri: FixedCalendarDateTimeFormatter<Hijri<UmmAlQura>, YMD>,
    /// Counts (page numbers, reading minutes) in the same digits as the dates beside them.
    numbers: DecimalFormatter,
}

impl DateFormatter {
    /// Err(message) when the locale is not a valid BCP 47 tag or ICU4X has no date data for its
    /// language; the message says what to write instead.
    pub fn new(style: &DateStyle) -> Result<Self, String> {
        let locale = style_locale(style)?;
        let gregorian = gregorian_formatter(&locale)?;
        // ICU4X falls back to the root locale without error when it has no data for a language,
        // which would print "2024 M11 20"; a formatter that writes what root writes is that case.
        if !locale.id.language.is_unknown() {
            let mut root = Locale::UNKNOWN;
            root.extensions = locale.extensions.clone();
            let probe = Date::try_new_gregorian(2024, 11, 20).map_err(|e| e.to_string())?;
            if gregorian.format(&probe).to_string() == gregorian_formatter(&root)?.format(&probe).to_string()
            {
                return Err(format!(
                    "no CLDR date data for language `{}` (locale `{}`); write a language ICU4X knows, e.g. \"ar\", \"ar-SY\" or \"en\"",
                    locale.id.language, style.locale
                ));
            }
        }
        let hijri = FixedCalendarDateTimeFormatter::try_new((&locale).into(), YMD::long())
            .map_err(|e| format!("cannot load Hijri date data for `{}`: {e}", style.locale))?;
        let numbers = DecimalFormatter::try_new((&locale).into(), Default::default())
            .map_err(|e| format!("cannot load number data for `{}`: {e}", style.locale))?;
        Ok(Self {
            style: style.clone(),
            gregorian,
            hijri,
            numbers,
        })
    }

    /// `iso` is what front matter gave, normalized: "2024-11-20", "2024-11-20T10:00:00", or
    /// RFC 3339 "2024-11-20T10:00:00+03:00"/"…Z". Only the calendar date as written is formatted
    /// (no conversion to UTC): a briefing dated 23:30 in Bamako belongs to that day.
    pub fn gregorian(&self, iso: &str) -> Result<String, String> {
        Ok(self.gregorian.format(&parse_date(iso)?).to_string())
    }

    /// The Umm al-Qura date of `iso`'s calendar date, in the same locale and digits, with the
    /// locale's era marker (e.g. "هـ", "AH"). Works whether or not `style.hijri` is set.
    pub fn hijri(&self, iso: &str) -> Result<String, String> {
        let date = parse_date(iso)?.to_calendar(Hijri::new_umm_al_qura());
        Ok(self.hijri.format(&date).to_string())
    }

    /// A whole number in the language's digits and grouping, e.g. "١٬٢٣٤" or "1,234".
    pub fn number(&self, n: i64) -> String {
        self.numbers.format(&Decimal::from(n)).to_string()
    }

    /// The style this formatter was built from (callers read `hijri` to decide what to show).
    pub fn style(&self) -> &DateStyle {
        &self.style
    }
}

/// The locale to hand ICU4X: `style.locale` with `-u-nu-…` set when digits are chosen, so CLDR
/// (not string replacement) decides how digits are written.
fn style_locale(style: &DateStyle) -> Result<Locale, String> {
    let mut locale = Locale::try_from_str(&style.locale).map_err(|e| {
        let hint = match Locale::try_from_str(&style.locale.replace('_', "-")) {
            Ok(fixed) => format!("write \"{fixed}\" (BCP 47 separates subtags with `-`)"),
            Err(_) => "write a BCP 47 tag such as \"ar\", \"ar-SY\" or \"en\"".to_owned(),
        };
        format!("`{}` is not a valid locale ({e}); {hint}", style.locale)
    })?;
    if let Some(digits) = style.digits {
        let nu = match digits {
            Digits::Latn => value!("latn"),
            Digits::Arab => value!("arab"),
        };
        locale.extensions.unicode.keywords.set(key!("nu"), nu);
    }
    Ok(locale)
}

/// The CLDR long year-month-day date (no weekday), always in the Gregorian calendar: a fixed
/// calendar keeps `ar-SA`, whose CLDR default calendar is Hijri, from switching calendars.
fn gregorian_formatter(locale: &Locale) -> Result<FixedCalendarDateTimeFormatter<Gregorian, YMD>, String> {
    FixedCalendarDateTimeFormatter::try_new(locale.into(), YMD::long())
        .map_err(|e| format!("cannot load date data for `{locale}`: {e}"))
}

/// The calendar date written at the start of `iso`, parsed as RFC 9557 (a superset of RFC 3339);
/// any time and offset are checked but do not move the date.
fn parse_date(iso: &str) -> Result<Date<Gregorian>, String> {
    Date::try_from_str(iso, Gregorian).map_err(|e| {
        format!(
            "`{iso}` is not a date ({}); write YYYY-MM-DD, e.g. \"2024-11-20\", optionally with a time such as \"2024-11-20T10:00:00+03:00\"",
            e.to_string().trim_end_matches('.')
        )
    })
}

/// Tera filter `date` (and, wrapped in [`NumberFilter`], `number`): `{{ page.date | date(lang="ar") }}` → Gregorian text;
/// `{{ page.date | date(lang="ar", calendar="hijri") }}` → Hijri text.
/// `lang` is optional (falls back to the filter's default language).
#[derive(Clone)]
pub struct DateFilter {
    formatters: HashMap<String, Arc<DateFormatter>>,
    default_lang: String,
}

impl DateFilter {
    pub fn new(formatters: HashMap<String, Arc<DateFormatter>>, default_lang: String) -> Self {
        Self {
            formatters,
            default_lang,
        }
    }

    /// The formatter of the `lang` argument, else of the default language; `filter` names the
    /// filter in errors.
    fn formatter(&self, args: &HashMap<String, tera::Value>, filter: &str) -> tera::Result<&DateFormatter> {
        let lang = match args.get("lang") {
            None => self.default_lang.as_str(),
            Some(tera::Value::String(lang)) => lang.as_str(),
            Some(other) => {
                return Err(tera::Error::msg(format!(
                    "{filter} filter: `lang` must be a string, got {other}; configured languages: {}",
                    self.langs()
                )))
            }
        };
        self.formatters.get(lang).map(|f| f.as_ref()).ok_or_else(|| {
            tera::Error::msg(format!(
                "{filter} filter: unknown language `{lang}`; configured languages: {}",
                self.langs()
            ))
        })
    }

    /// The configured languages, sorted, for error messages.
    fn langs(&self) -> String {
        let mut langs: Vec<&str> = self.formatters.keys().map(String::as_str).collect();
        langs.sort_unstable();
        langs.join(", ")
    }
}

impl tera::Filter for DateFilter {
    fn filter(&self, value: &tera::Value, args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
        if let Some(unknown) = args.keys().find(|k| *k != "lang" && *k != "calendar") {
            return Err(tera::Error::msg(format!(
                "date filter: unknown argument `{unknown}`; it accepts `lang` and `calendar`"
            )));
        }
        let formatter = self.formatter(args, "date")?;
        let tera::Value::String(iso) = value else {
            return Err(tera::Error::msg(format!(
                "date filter: expected a date string such as \"2024-11-20\", got {value}"
            )));
        };
        let text = match args.get("calendar") {
            None => formatter.gregorian(iso),
            Some(calendar) if calendar == "gregorian" => formatter.gregorian(iso),
            Some(calendar) if calendar == "hijri" => formatter.hijri(iso),
            Some(other) => {
                return Err(tera::Error::msg(format!(
                    "date filter: unknown calendar {other}; use \"gregorian\" (the default) or \"hijri\""
                )))
            }
        };
        text.map(tera::Value::String)
            .map_err(|e| tera::Error::msg(format!("date filter: {e}")))
    }

    fn is_safe(&self) -> bool {
        false
    }
}

/// Tera filter `number`: `{{ paginator.number | number(lang="ar") }}` → "٣" where the
/// language writes Arabic-Indic digits; `lang` optional as for `date`.
pub struct NumberFilter(pub DateFilter);

impl tera::Filter for NumberFilter {
    fn filter(&self, value: &tera::Value, args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
        if let Some(unknown) = args.keys().find(|k| *k != "lang") {
            return Err(tera::Error::msg(format!(
                "number filter: unknown argument `{unknown}`; it accepts `lang`"
            )));
        }
        let formatter = self.0.formatter(args, "number")?;
        let n = value.as_i64().ok_or_else(|| {
            tera::Error::msg(format!("number filter: expected a whole number, got {value}"))
        })?;
        Ok(tera::Value::String(formatter.number(n)))
    }
}

/// Words in plain text, counted so Arabic reads right: Unicode word segmentation (UAX #29), so
/// diacritics (harakat), tatweel (U+0640) and ZWNJ neither split nor add words, punctuation
/// (، ؛ ؟) is not a word, and numbers count as words. Hyphens split ("BMP-3" is two words).
///
/// Segmenting every body was an eighth of a build's CPU, so the plain case is counted without
/// it. UAX #29 always breaks on both sides of ASCII white space (a run of it is one segment with
/// no letters), so the count is the sum of the counts of the tokens between it; a token of
/// letters, digits and harakat between outer punctuation is one word; any other is segmented.
pub fn word_count(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut words, mut i) = (0, 0);
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        words += match plain_core(&bytes[start..i]) {
            [] => 0,
            core if is_plain_word(core) => 1,
            // Split at ASCII white space, so at character boundaries.
            _ => text.get(start..i).map_or(0, |t| t.unicode_words().count()),
        };
    }
    words
}

/// A token without its outer punctuation: opening `( [ { " ' «` before, closing
/// `. , ; : ! ? ) ] } " ' » ، ؛ ؟` after (as bytes: « and » are C2 AB and C2 BB, the Arabic
/// comma, semicolon and question mark D8 8C, D8 9B and D8 9F).
fn plain_core(token: &[u8]) -> &[u8] {
    let mut t = token;
    while let [b'(' | b'[' | b'{' | b'"' | b'\'', rest @ ..] | [0xC2, 0xAB, rest @ ..] = t {
        t = rest;
    }
    while let [rest @ .., b'.' | b',' | b';' | b':' | b'!' | b'?' | b')' | b']' | b'}' | b'"' | b'\'']
    | [rest @ .., 0xC2, 0xBB]
    | [rest @ .., 0xD8, 0x8C | 0x9B | 0x9F] = t
    {
        t = rest;
    }
    t
}

/// Whether `word` is a word base followed by word bases and harakat. Read as bytes: these
/// are ASCII, or two-byte sequences led by 0xD8–0xDB (U+0600–U+06FF), so nothing is decoded.
fn is_plain_word(word: &[u8]) -> bool {
    let mut i = 0;
    while let Some(&b) = word.get(i) {
        let ok = match (b, word.get(i + 1)) {
            (b, _) if b.is_ascii_alphanumeric() => {
                i += 1;
                true
            }
            (0xD8..=0xDB, Some(&next)) => {
                let c = char::from_u32((u32::from(b & 0x1F) << 6) | u32::from(next & 0x3F));
                i += 2;
                c.is_some_and(|c| is_word_base(c) || (i > 2 && is_haraka(c)))
            }
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// Letters and digits UAX #29 never splits between (ALetter, Numeric): ASCII and Arabic.
fn is_word_base(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '\u{0620}'..='\u{064A}' | '\u{0660}'..='\u{0669}' | '\u{066E}'..='\u{066F}' | '\u{0671}'..='\u{06D3}')
}

/// Arabic marks (Extend in UAX #29), which stay inside the word they follow.
fn is_haraka(c: char) -> bool {
    matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}')
}

/// Minutes to read `words` in language `lang` (its BCP 47 primary subtag decides): rounded up,
/// at least 1 for any non-zero count, 0 for 0.
///
/// Reading rates, words per minute:
/// - English 238: Brysbaert, "How many words do we read per minute? A review and meta-analysis
///   of reading rate", Journal of Memory and Language 109 (2019), adult silent reading of
///   non-fiction, which is what a briefing is.
/// - Arabic 138: Trauzettel-Klosinski & Dietz, "Standardized assessment of reading performance:
///   the New International Reading Speed Texts IReST", Investigative Ophthalmology & Visual
///   Science 53(9) (2012), the same texts read in 17 languages. IReST timed reading aloud, so
///   this is conservative for silent reading; it is the published figure that compares Arabic
///   with other languages on equivalent texts. Arabic attaches clitics (و، ب، ال) to words, so
///   it has fewer, longer words per sentence than English.
/// - Other languages 200: a round figure between the IReST mean over all 17 languages
///   (184, aloud) and the English silent rate.
pub fn reading_minutes(words: usize, lang: &str) -> usize {
    let primary = lang.split(['-', '_']).next().unwrap_or_default();
    let wpm = if primary.eq_ignore_ascii_case("ar") {
        138
    } else if primary.eq_ignore_ascii_case("en") {
        238
    } else {
        200
    };
    words.div_ceil(wpm)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn formatter(locale: &str, digits: Option<Digits>) -> DateFormatter {
        DateFormatter::new(&DateStyle {
            locale: locale.to_owned(),
            digits,
            hijri: true,
        })
        .unwrap()
    }

    #[test]
    fn numbers_follow_the_language_digits() {
        assert_eq!(formatter("ar", Some(Digits::Arab)).number(1234), "١٬٢٣٤");
        assert_eq!(formatter("ar", Some(Digits::Latn)).number(3), "3");
        assert_eq!(formatter("en", None).number(1234), "1,234");
    }

    fn has_ascii_digit(s: &str) -> bool {
        s.chars().any(|c| c.is_ascii_digit())
    }

    fn has_arabic_indic_digit(s: &str) -> bool {
        s.chars().any(|c| ('٠'..='٩').contains(&c))
    }

    #[test]
    fn formatter_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<DateFormatter>();
        assert_send_sync::<DateFilter>();
    }

    #[test]
    fn arabic_with_arabic_indic_digits() {
        let f = formatter("ar", Some(Digits::Arab));
        let text = f.gregorian("2024-11-20").unwrap();
        assert_eq!(text, "٢٠ نوفمبر ٢٠٢٤");
        assert!(text.contains("نوفمبر") && text.contains("٢٠٢٤"));
        assert!(!has_ascii_digit(&text));
    }

    #[test]
    fn arabic_with_latin_digits() {
        let text = formatter("ar", Some(Digits::Latn))
            .gregorian("2024-11-20")
            .unwrap();
        assert_eq!(text, "20 نوفمبر 2024");
        assert!(!has_arabic_indic_digit(&text));
    }

    #[test]
    fn cldr_default_digits() {
        // Plain `ar` defaults to Latin digits in CLDR 49; Levantine/Egyptian regions to Arabic-Indic.
        assert_eq!(
            formatter("ar", None).gregorian("2024-11-20").unwrap(),
            "20 نوفمبر 2024"
        );
        assert_eq!(
            formatter("ar-EG", None).gregorian("2024-11-20").unwrap(),
            "٢٠ نوفمبر ٢٠٢٤"
        );
    }

    #[test]
    fn levantine_month_names() {
        for locale in ["ar-SY", "ar-LB", "ar-IQ", "ar-JO"] {
            let text = formatter(locale, None).gregorian("2024-11-20").unwrap();
            assert_eq!(text, "٢٠ تشرين الثاني ٢٠٢٤", "{locale}");
        }
        let latin = formatter("ar-LB", Some(Digits::Latn));
        assert_eq!(latin.gregorian("2024-03-11").unwrap(), "11 آذار 2024");
    }

    #[test]
    fn english() {
        assert_eq!(
            formatter("en", None).gregorian("2024-11-20").unwrap(),
            "November 20, 2024"
        );
        assert_eq!(
            formatter("en-GB", None).gregorian("2024-11-20").unwrap(),
            "20 November 2024"
        );
    }

    #[test]
    fn saudi_locale_stays_gregorian() {
        // ar-SA's CLDR default calendar is Umm al-Qura; the Gregorian formatter must not follow it.
        let f = formatter("ar-SA", None);
        assert_eq!(f.gregorian("2024-11-20").unwrap(), "٢٠ نوفمبر ٢٠٢٤");
        assert_eq!(f.hijri("2024-11-20").unwrap(), "١٨ جمادى الأولى ١٤٤٦ هـ");
    }

    #[test]
    fn hijri_umm_al_qura() {
        let arab = formatter("ar", Some(Digits::Arab));
        assert_eq!(arab.hijri("2024-11-20").unwrap(), "١٨ جمادى الأولى ١٤٤٦ هـ");
        assert_eq!(arab.hijri("2024-03-11").unwrap(), "١ رمضان ١٤٤٥ هـ");

        let latn = formatter("ar", Some(Digits::Latn));
        assert_eq!(latn.hijri("2024-11-20").unwrap(), "18 جمادى الأولى 1446 هـ");
        assert_eq!(latn.hijri("2024-03-11").unwrap(), "1 رمضان 1445 هـ");

        let en = formatter("en", None);
        assert_eq!(en.hijri("2024-03-11").unwrap(), "Ramadan 1, 1445 AH");
        assert_eq!(en.hijri("2024-11-20").unwrap(), "Jumada I 18, 1446 AH");
    }

    #[test]
    fn hijri_without_style_flag() {
        let f = DateFormatter::new(&DateStyle {
            locale: "ar".to_owned(),
            digits: Some(Digits::Arab),
            hijri: false,
        })
        .unwrap();
        assert_eq!(f.hijri("2024-03-11").unwrap(), "١ رمضان ١٤٤٥ هـ");
        assert!(!f.style().hijri);
    }

    #[test]
    fn time_and_offset_keep_the_written_date() {
        let en = formatter("en-GB", None);
        for iso in [
            "2024-11-20T23:30:00-05:00",
            "2024-11-20T00:30:00+03:00",
            "2024-11-20T10:00:00",
            "2024-11-20T10:00:00Z",
        ] {
            assert_eq!(en.gregorian(iso).unwrap(), "20 November 2024", "{iso}");
        }
        assert_eq!(
            en.hijri("2024-11-20T23:30:00-05:00").unwrap(),
            "18 Jumada I 1446 AH"
        );
    }

    #[test]
    fn bad_dates_are_errors() {
        let f = formatter("ar", None);
        for iso in ["20-11-2024", "", "2024-02-30", "2024-11-20garbage"] {
            let err = f.gregorian(iso).unwrap_err();
            assert!(err.contains("YYYY-MM-DD"), "{iso}: {err}");
            assert!(f.hijri(iso).is_err(), "{iso}");
        }
    }

    #[test]
    fn bad_locales_are_errors() {
        let new = |locale: &str| {
            DateFormatter::new(&DateStyle {
                locale: locale.to_owned(),
                digits: None,
                hijri: false,
            })
        };
        let err = new("ar_EG!!").err().unwrap();
        assert!(err.contains("not a valid locale"), "{err}");
        let err = new("ar_EG").err().unwrap();
        assert!(err.contains("\"ar-EG\""), "{err}");
        // Well-formed, but CLDR has no data for it: ICU4X would silently use root ("2024 M11 20").
        let err = new("xx").err().unwrap();
        assert!(err.contains("no CLDR date data"), "{err}");
        assert!(new("ar-XX").is_ok(), "unknown region falls back to ar");
    }

    fn filter_tera() -> tera::Tera {
        let formatters = HashMap::from([
            ("ar".to_owned(), Arc::new(formatter("ar", Some(Digits::Arab)))),
            ("en".to_owned(), Arc::new(formatter("en", None))),
        ]);
        let mut tera = tera::Tera::default();
        tera.register_filter("date", DateFilter::new(formatters, "ar".to_owned()));
        tera
    }

    fn render(tera: &mut tera::Tera, template: &str) -> tera::Result<String> {
        let mut context = tera::Context::new();
        context.insert("date", "2024-11-20T10:00:00+03:00");
        context.insert("number", &7);
        tera.render_str(template, &context)
    }

    #[test]
    fn tera_filter() {
        let mut tera = filter_tera();
        let ok = |tera: &mut tera::Tera, template| render(tera, template).unwrap();
        assert_eq!(ok(&mut tera, "{{ date | date }}"), "٢٠ نوفمبر ٢٠٢٤");
        assert_eq!(ok(&mut tera, r#"{{ date | date(lang="ar") }}"#), "٢٠ نوفمبر ٢٠٢٤");
        assert_eq!(
            ok(&mut tera, r#"{{ date | date(lang="ar", calendar="hijri") }}"#),
            "١٨ جمادى الأولى ١٤٤٦ هـ"
        );
        assert_eq!(
            ok(&mut tera, r#"{{ date | date(lang="en") }}"#),
            "November 20, 2024"
        );
        assert_eq!(
            ok(&mut tera, r#"{{ date | date(lang="en", calendar="hijri") }}"#),
            "Jumada I 18, 1446 AH"
        );
        assert_eq!(
            ok(&mut tera, r#"{{ date | date(lang="en", calendar="gregorian") }}"#),
            "November 20, 2024"
        );
    }

    #[test]
    fn tera_filter_errors() {
        let mut tera = filter_tera();
        let cases = [
            (
                r#"{{ date | date(lang="fr") }}"#,
                "unknown language `fr`; configured languages: ar, en",
            ),
            (
                r#"{{ date | date(calendar="julian") }}"#,
                "unknown calendar \"julian\"",
            ),
            (r#"{{ date | date(lang=1) }}"#, "`lang` must be a string"),
            (
                r#"{{ date | date(language="ar") }}"#,
                "unknown argument `language`",
            ),
            (r#"{{ number | date }}"#, "expected a date string"),
            (r#"{{ "20-11-2024" | date }}"#, "YYYY-MM-DD"),
        ];
        for (template, expected) in cases {
            let err = render(&mut tera, template).unwrap_err();
            // Tera wraps the filter's message: "Filter call 'date' failed" → our message.
            let mut message = err.to_string();
            let mut source = std::error::Error::source(&err);
            while let Some(inner) = source {
                message = format!("{message}: {inner}");
                source = inner.source();
            }
            assert!(message.contains(expected), "{template}: {message}");
        }
    }

    #[test]
    fn word_counts() {
        assert_eq!(word_count("مالي تتسلم دفعة جديدة"), 4);
        assert_eq!(word_count("كَتَبَ الطالبُ الدرسَ"), 3);
        assert_eq!(word_count("جـــديد"), 1);
        // ZWNJ (U+200C) inside a word does not split it.
        assert_eq!(word_count("می\u{200C}خواهم"), 1);
        // UAX #29 splits at hyphens and keeps letter+digit runs together.
        let words: Vec<&str> = "T-72B3 و BMP-3".unicode_words().collect();
        assert_eq!(words, ["T", "72B3", "و", "BMP", "3"]);
        assert_eq!(word_count("T-72B3 و BMP-3"), 5);
        assert_eq!(word_count("وصلت إلى باماكو، في خطوة."), 5);
        assert_eq!(word_count("هل وصلت؟ نعم؛ وصلت"), 4);
        let words: Vec<&str> = "Mali's army, 1,000 men.".unicode_words().collect();
        assert_eq!(words, ["Mali's", "army", "1,000", "men"]);
        assert_eq!(word_count("Mali's army, 1,000 men."), 4);
        assert_eq!(word_count(""), 0);
        assert_eq!(word_count(" ، . — "), 0);
        // A haraka after white space is a segment of its own, and a letter, so a word.
        assert_eq!(word_count("ب \u{064B}ب"), 3);
    }

    proptest::proptest! {
        /// The fast count is UAX #29's, on text mixing what makes it hard: white space of every
        /// kind, marks and format characters, punctuation inside and around words.
        #[test]
        fn word_count_is_unicode_segmentation(text in proptest::collection::vec(proptest::sample::select(vec![
            ' ', ' ', '\n', '\r', '\t', '\u{0B}', '\u{0C}', '\u{A0}', '\u{202F}', '\u{3000}', 'a', 'Z', '7', 'ب', 'ة',
            'ء', 'ـ', 'پ', '٣', '\u{064B}', '\u{0651}', '\u{0670}', '\u{0301}', '\u{200C}', '\u{200D}', '\u{200F}',
            '-', '\'', '’', '.', ',', ':', '،', '؟', '(', ')', '«', '»', '"', '_', '中', 'か', '😀', 'ﷲ',
        ]), 0..24)) {
            let text: String = text.into_iter().collect();
            proptest::prop_assert_eq!(word_count(&text), text.unicode_words().count(), "{:?}", text);
        }
    }

    #[test]
    fn reading_time() {
        assert_eq!(reading_minutes(0, "ar"), 0);
        assert_eq!(reading_minutes(1, "ar"), 1);
        assert_eq!(reading_minutes(138, "ar"), 1);
        assert_eq!(reading_minutes(139, "ar"), 2);
        assert_eq!(reading_minutes(139, "ar-SY"), 2);
        assert_eq!(reading_minutes(238, "en"), 1);
        assert_eq!(reading_minutes(239, "en-GB"), 2);
        assert_eq!(reading_minutes(200, "fr"), 1);
        assert_eq!(reading_minutes(201, "fr"), 2);
    }
}

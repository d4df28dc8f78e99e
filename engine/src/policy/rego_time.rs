//! OPA's calendar built-ins, which regorus provides only with its `time` feature (chrono
//! and the whole time-zone database, left out of the wasm bundle): `time.date`,
//! `time.clock`, `time.weekday`, `time.add_date`, `time.diff`, `time.format` and
//! `time.parse_ns`, with Go's layouts (`2006-01-02T15:04:05Z07:00`, and for
//! `time.format` the names `RFC3339`, `DateOnly`, ...).
//!
//! A time is nanoseconds since the Unix epoch, or `[ns, tz]` (`time.format` also takes
//! `[ns, tz, layout]`). Time zones: `"UTC"`, `""` and `"Local"` are UTC — Portolan has no
//! local zone of its own, and a verdict must not depend on where the analysis runs; any
//! other zone name is an error, which leaves the expression undefined as in OPA's
//! non-strict mode. Results outside what an int64 of nanoseconds holds are errors too.

use regorus::Value;

use super::rego_builtins::days_from_civil;

const NS: i64 = 1_000_000_000;

const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A moment in UTC, broken down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Civil {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    nanos: i64,
    /// 0 is Sunday.
    weekday: usize,
    /// 1 is January 1st.
    yday: i64,
}

/// The proleptic Gregorian date of a day since 1970-01-01 (Howard Hinnant's algorithm,
/// the inverse of [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn civil(ns: i64) -> Civil {
    let secs = ns.div_euclid(NS);
    let nanos = ns.rem_euclid(NS);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    Civil {
        year,
        month,
        day,
        hour: sod / 3600,
        minute: sod % 3600 / 60,
        second: sod % 60,
        nanos,
        weekday: (days + 4).rem_euclid(7) as usize,
        yday: days - days_from_civil(year, 1, 1) + 1,
    }
}

/// Nanoseconds since the epoch of a date and time (fields may overflow their ranges:
/// they are normalised as Go's `time.Date` does); `None` beyond an int64.
fn to_ns(year: i64, month: i64, day: i64, sod: i64, nanos: i64) -> Option<i64> {
    let months = year.checked_mul(12)?.checked_add(month - 1)?;
    let (y, m) = (months.div_euclid(12), months.rem_euclid(12) + 1);
    let days = days_from_civil(y, m, 1).checked_add(day - 1)?;
    days.checked_mul(86_400)?
        .checked_add(sod)?
        .checked_mul(NS)?
        .checked_add(nanos)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    let next = if month == 12 {
        days_from_civil(year + 1, 1, 1)
    } else {
        days_from_civil(year, month + 1, 1)
    };
    next - days_from_civil(year, month, 1)
}

fn int(name: &str, v: Option<&Value>) -> anyhow::Result<i64> {
    match v {
        Some(Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Ok(i),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.2e18 => Ok(f as i64),
            _ => anyhow::bail!("{name}: operand must be an integer"),
        },
        _ => anyhow::bail!("{name}: operand must be a number"),
    }
}

/// The zones Portolan knows: UTC under its names (see the module documentation).
fn check_zone(name: &str, tz: &str) -> anyhow::Result<()> {
    match tz {
        "" | "UTC" | "Local" => Ok(()),
        other => anyhow::bail!(
            "{name}: time zone {other:?} is not available offline (UTC, Local or \"\")"
        ),
    }
}

/// A time argument: `ns`, `[ns, tz]` or, with `layout`, `[ns, tz, layout]`.
fn time_arg(name: &str, v: Option<&Value>, layout: bool) -> anyhow::Result<(i64, Option<String>)> {
    match v {
        Some(Value::Number(_)) => Ok((int(name, v)?, None)),
        Some(Value::Array(a)) if a.len() == 2 || (layout && a.len() == 3) => {
            let ns = int(name, a.first())?;
            let Some(Value::String(tz)) = a.get(1) else {
                anyhow::bail!("{name}: the time zone must be a string");
            };
            check_zone(name, tz)?;
            let layout = match a.get(2) {
                Some(Value::String(l)) => Some(l.to_string()),
                Some(_) => anyhow::bail!("{name}: the layout must be a string"),
                None => None,
            };
            Ok((ns, layout))
        }
        _ => anyhow::bail!("{name}: operand must be a number or an array [ns, tz]"),
    }
}

/// `time.date(x)`: `[year, month, day]`.
pub fn date(args: Vec<Value>) -> anyhow::Result<Value> {
    let (ns, _) = time_arg("time.date", args.first(), false)?;
    let c = civil(ns);
    Ok(Value::from(vec![
        Value::from(c.year),
        Value::from(c.month),
        Value::from(c.day),
    ]))
}

/// `time.clock(x)`: `[hour, minute, second]`.
pub fn clock(args: Vec<Value>) -> anyhow::Result<Value> {
    let (ns, _) = time_arg("time.clock", args.first(), false)?;
    let c = civil(ns);
    Ok(Value::from(vec![
        Value::from(c.hour),
        Value::from(c.minute),
        Value::from(c.second),
    ]))
}

/// `time.weekday(x)`: the day's English name (`Monday`).
pub fn weekday(args: Vec<Value>) -> anyhow::Result<Value> {
    let (ns, _) = time_arg("time.weekday", args.first(), false)?;
    Ok(Value::from(WEEKDAYS[civil(ns).weekday]))
}

/// `time.add_date(ns, years, months, days)`, normalised as Go's `AddDate` (October 32nd
/// is November 1st).
pub fn add_date(args: Vec<Value>) -> anyhow::Result<Value> {
    let name = "time.add_date";
    let ns = int(name, args.first())?;
    let (years, months, days) = (
        int(name, args.get(1))?,
        int(name, args.get(2))?,
        int(name, args.get(3))?,
    );
    let c = civil(ns);
    let sod = c.hour * 3600 + c.minute * 60 + c.second;
    let year = c.year.checked_add(years);
    let month = c.month.checked_add(months);
    let day = c.day.checked_add(days);
    match (year, month, day) {
        (Some(y), Some(m), Some(d)) => match to_ns(y, m, d, sod, c.nanos) {
            Some(out) => Ok(Value::from(out)),
            None => anyhow::bail!("{name}: the result is outside the valid time range"),
        },
        _ => anyhow::bail!("{name}: the result is outside the valid time range"),
    }
}

/// `time.diff(a, b)`: `[years, months, days, hours, minutes, seconds]` between the two,
/// whichever is first, each borrowing from the next larger unit as OPA does.
pub fn diff(args: Vec<Value>) -> anyhow::Result<Value> {
    let (a, _) = time_arg("time.diff", args.first(), false)?;
    let (b, _) = time_arg("time.diff", args.get(1), false)?;
    let (t1, t2) = if a > b {
        (civil(b), civil(a))
    } else {
        (civil(a), civil(b))
    };
    let mut year = t2.year - t1.year;
    let mut month = t2.month - t1.month;
    let mut day = t2.day - t1.day;
    let mut hour = t2.hour - t1.hour;
    let mut minute = t2.minute - t1.minute;
    let mut second = t2.second - t1.second;
    if second < 0 {
        second += 60;
        minute -= 1;
    }
    if minute < 0 {
        minute += 60;
        hour -= 1;
    }
    if hour < 0 {
        hour += 24;
        day -= 1;
    }
    if day < 0 {
        day += days_in_month(t1.year, t1.month);
        month -= 1;
    }
    if month < 0 {
        month += 12;
        year -= 1;
    }
    Ok(Value::from(
        [year, month, day, hour, minute, second]
            .into_iter()
            .map(Value::from)
            .collect::<Vec<_>>(),
    ))
}

/// Go's named layouts, which `time.format` accepts by name.
fn named_layout(name: &str) -> Option<&'static str> {
    Some(match name {
        "ANSIC" => "Mon Jan _2 15:04:05 2006",
        "UnixDate" => "Mon Jan _2 15:04:05 MST 2006",
        "RubyDate" => "Mon Jan 02 15:04:05 -0700 2006",
        "RFC822" => "02 Jan 06 15:04 MST",
        "RFC822Z" => "02 Jan 06 15:04 -0700",
        "RFC850" => "Monday, 02-Jan-06 15:04:05 MST",
        "RFC1123" => "Mon, 02 Jan 2006 15:04:05 MST",
        "RFC1123Z" => "Mon, 02 Jan 2006 15:04:05 -0700",
        "RFC3339" => "2006-01-02T15:04:05Z07:00",
        "RFC3339Nano" => RFC3339_NANO,
        "Kitchen" => "3:04PM",
        "Stamp" => "Jan _2 15:04:05",
        "StampMilli" => "Jan _2 15:04:05.000",
        "StampMicro" => "Jan _2 15:04:05.000000",
        "StampNano" => "Jan _2 15:04:05.000000000",
        "DateTime" => "2006-01-02 15:04:05",
        "DateOnly" => "2006-01-02",
        "TimeOnly" => "15:04:05",
        _ => return None,
    })
}

const RFC3339_NANO: &str = "2006-01-02T15:04:05.999999999Z07:00";

/// One element of a Go layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Chunk<'l> {
    Literal(&'l str),
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    YearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    Zone,
    /// A numeric offset: `Z` for UTC when `z`, with `:` between fields when `colon`, with
    /// minutes and seconds when given.
    Offset {
        z: bool,
        colon: bool,
        minutes: bool,
        seconds: bool,
    },
    /// `.000`/`,000` (exactly `n` digits) or `.999` (at most `n`, zeros trimmed).
    Fraction {
        digits: usize,
        trim: bool,
        sep: char,
    },
}

/// Splits a layout into its chunks as Go's `nextStdChunk` recognises them.
fn chunks(layout: &str) -> Vec<Chunk<'_>> {
    let mut out = Vec::new();
    let b = layout.as_bytes();
    let mut i = 0;
    let mut lit = 0;
    while i < b.len() {
        let rest = &layout[i..];
        let (chunk, len) = std_chunk(rest);
        if let Some(chunk) = chunk {
            if lit < i {
                out.push(Chunk::Literal(&layout[lit..i]));
            }
            out.push(chunk);
            i += len;
            lit = i;
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    if lit < b.len() {
        out.push(Chunk::Literal(&layout[lit..]));
    }
    out
}

fn std_chunk(s: &str) -> (Option<Chunk<'static>>, usize) {
    let starts = |p: &str| s.starts_with(p);
    let offset = |z, colon, minutes, seconds| Chunk::Offset {
        z,
        colon,
        minutes,
        seconds,
    };
    let table: &[(&str, Chunk<'static>)] = &[
        ("January", Chunk::LongMonth),
        ("Jan", Chunk::Month),
        ("Monday", Chunk::LongWeekDay),
        ("Mon", Chunk::WeekDay),
        ("MST", Chunk::Zone),
        ("002", Chunk::ZeroYearDay),
        ("01", Chunk::ZeroMonth),
        ("02", Chunk::ZeroDay),
        ("03", Chunk::ZeroHour12),
        ("04", Chunk::ZeroMinute),
        ("05", Chunk::ZeroSecond),
        ("06", Chunk::Year),
        ("15", Chunk::Hour),
        ("1", Chunk::NumMonth),
        ("2006", Chunk::LongYear),
        ("2", Chunk::Day),
        ("__2", Chunk::YearDay),
        ("_2", Chunk::UnderDay),
        ("3", Chunk::Hour12),
        ("4", Chunk::Minute),
        ("5", Chunk::Second),
        ("PM", Chunk::PM),
        ("pm", Chunk::Pm),
        ("-07:00:00", offset(false, true, true, true)),
        ("-070000", offset(false, false, true, true)),
        ("-07:00", offset(false, true, true, false)),
        ("-0700", offset(false, false, true, false)),
        ("-07", offset(false, false, false, false)),
        ("Z07:00:00", offset(true, true, true, true)),
        ("Z070000", offset(true, false, true, true)),
        ("Z07:00", offset(true, true, true, false)),
        ("Z0700", offset(true, false, true, false)),
        ("Z07", offset(true, false, false, false)),
    ];
    // `_2006` is a literal `_` followed by a year, as in Go.
    if starts("_2006") {
        return (None, 1);
    }
    for (p, c) in table {
        if starts(p) {
            return (Some(*c), p.len());
        }
    }
    let bytes = s.as_bytes();
    if matches!(bytes.first(), Some(b'.' | b',')) && matches!(bytes.get(1), Some(b'0' | b'9')) {
        let digit = bytes[1];
        let n = bytes[1..].iter().take_while(|&&c| c == digit).count();
        if !bytes.get(1 + n).is_some_and(u8::is_ascii_digit) {
            return (
                Some(Chunk::Fraction {
                    digits: n,
                    trim: digit == b'9',
                    sep: bytes[0] as char,
                }),
                1 + n,
            );
        }
    }
    (None, 0)
}

/// Formats `ns` (UTC) with a Go layout.
fn format_layout(ns: i64, layout: &str) -> String {
    let c = civil(ns);
    let mut out = String::new();
    let hour12 = if c.hour % 12 == 0 { 12 } else { c.hour % 12 };
    for chunk in chunks(layout) {
        match chunk {
            Chunk::Literal(s) => out.push_str(s),
            Chunk::LongMonth => out.push_str(MONTHS[(c.month - 1) as usize]),
            Chunk::Month => out.push_str(&MONTHS[(c.month - 1) as usize][..3]),
            Chunk::NumMonth => out.push_str(&c.month.to_string()),
            Chunk::ZeroMonth => out.push_str(&format!("{:02}", c.month)),
            Chunk::LongWeekDay => out.push_str(WEEKDAYS[c.weekday]),
            Chunk::WeekDay => out.push_str(&WEEKDAYS[c.weekday][..3]),
            Chunk::Day => out.push_str(&c.day.to_string()),
            Chunk::UnderDay => out.push_str(&format!("{:>2}", c.day)),
            Chunk::ZeroDay => out.push_str(&format!("{:02}", c.day)),
            Chunk::YearDay => out.push_str(&format!("{:>3}", c.yday)),
            Chunk::ZeroYearDay => out.push_str(&format!("{:03}", c.yday)),
            Chunk::Hour => out.push_str(&format!("{:02}", c.hour)),
            Chunk::Hour12 => out.push_str(&hour12.to_string()),
            Chunk::ZeroHour12 => out.push_str(&format!("{hour12:02}")),
            Chunk::Minute => out.push_str(&c.minute.to_string()),
            Chunk::ZeroMinute => out.push_str(&format!("{:02}", c.minute)),
            Chunk::Second => out.push_str(&c.second.to_string()),
            Chunk::ZeroSecond => out.push_str(&format!("{:02}", c.second)),
            Chunk::LongYear => out.push_str(&format!("{:04}", c.year)),
            Chunk::Year => out.push_str(&format!("{:02}", c.year.rem_euclid(100))),
            Chunk::PM => out.push_str(if c.hour >= 12 { "PM" } else { "AM" }),
            Chunk::Pm => out.push_str(if c.hour >= 12 { "pm" } else { "am" }),
            Chunk::Zone => out.push_str("UTC"),
            Chunk::Offset {
                z,
                colon,
                minutes,
                seconds,
            } => {
                if z {
                    out.push('Z');
                } else {
                    let sep = if colon { ":" } else { "" };
                    out.push_str("+00");
                    if minutes {
                        out.push_str(sep);
                        out.push_str("00");
                    }
                    if seconds {
                        out.push_str(sep);
                        out.push_str("00");
                    }
                }
            }
            Chunk::Fraction { digits, trim, sep } => {
                let all = format!("{:09}", c.nanos);
                let mut frac = all[..digits.min(9)].to_string();
                while frac.len() < digits {
                    frac.push('0');
                }
                if trim {
                    let t = frac.trim_end_matches('0');
                    if !t.is_empty() {
                        out.push(sep);
                        out.push_str(t);
                    }
                } else {
                    out.push(sep);
                    out.push_str(&frac);
                }
            }
        }
    }
    out
}

/// `time.format(x)`: `x` as RFC 3339 with nanoseconds, or with the layout of
/// `[ns, tz, layout]` (a Go layout or one of Go's layout names).
pub fn format(args: Vec<Value>) -> anyhow::Result<Value> {
    let (ns, layout) = time_arg("time.format", args.first(), true)?;
    let layout = layout.unwrap_or_else(|| RFC3339_NANO.to_string());
    let layout = named_layout(&layout).map_or(layout, str::to_string);
    Ok(Value::from(format_layout(ns, &layout)))
}

/// A cursor over the text being parsed.
struct Reader<'v> {
    text: &'v str,
}

impl Reader<'_> {
    /// Between `min` and `max` digits.
    fn digits(&mut self, min: usize, max: usize) -> Option<i64> {
        let n = self
            .text
            .bytes()
            .take(max)
            .take_while(u8::is_ascii_digit)
            .count();
        if n < min {
            return None;
        }
        let v = self.text[..n].parse().ok()?;
        self.text = &self.text[n..];
        Some(v)
    }

    /// One of `names` (case-insensitive, as Go); its index.
    fn name(&mut self, names: &[&str], short: bool) -> Option<usize> {
        for (i, n) in names.iter().enumerate() {
            let n = if short { &n[..3] } else { n };
            if self
                .text
                .get(..n.len())
                .is_some_and(|t| t.eq_ignore_ascii_case(n))
            {
                self.text = &self.text[n.len()..];
                return Some(i);
            }
        }
        None
    }

    fn literal(&mut self, s: &str) -> Option<()> {
        self.text = self.text.strip_prefix(s)?;
        Some(())
    }
}

/// Go's `time.Parse(layout, value)` in UTC: nanoseconds since the epoch.
fn parse_layout(layout: &str, value: &str) -> Result<i64, String> {
    let mut r = Reader { text: value };
    let (mut year, mut month, mut day) = (0i64, 1i64, 1i64);
    let (mut hour, mut minute, mut second, mut nanos) = (0i64, 0i64, 0i64, 0i64);
    let (mut pm, mut am) = (false, false);
    let mut offset = 0i64;
    let chunks = chunks(layout);
    let bad = |what: &str| format!("cannot parse {value:?} as {layout:?}: bad {what}");
    for (i, chunk) in chunks.iter().enumerate() {
        let ok = match *chunk {
            Chunk::Literal(s) => r.literal(s).ok_or_else(|| bad("text")),
            Chunk::LongMonth => r
                .name(&MONTHS, false)
                .map(|m| month = m as i64 + 1)
                .ok_or_else(|| bad("month")),
            Chunk::Month => r
                .name(&MONTHS, true)
                .map(|m| month = m as i64 + 1)
                .ok_or_else(|| bad("month")),
            Chunk::NumMonth | Chunk::ZeroMonth => {
                let min = if *chunk == Chunk::ZeroMonth { 2 } else { 1 };
                r.digits(min, 2)
                    .filter(|m| (1..=12).contains(m))
                    .map(|m| month = m)
                    .ok_or_else(|| bad("month"))
            }
            Chunk::LongWeekDay => r
                .name(&WEEKDAYS, false)
                .map(|_| ())
                .ok_or_else(|| bad("weekday")),
            Chunk::WeekDay => r
                .name(&WEEKDAYS, true)
                .map(|_| ())
                .ok_or_else(|| bad("weekday")),
            Chunk::Day | Chunk::UnderDay | Chunk::ZeroDay => {
                if *chunk == Chunk::UnderDay {
                    r.text = r.text.strip_prefix(' ').unwrap_or(r.text);
                }
                let min = if *chunk == Chunk::ZeroDay { 2 } else { 1 };
                r.digits(min, 2).map(|d| day = d).ok_or_else(|| bad("day"))
            }
            Chunk::YearDay | Chunk::ZeroYearDay => {
                Err(format!("{layout:?}: day-of-year layouts are not supported"))
            }
            Chunk::Hour => r
                .digits(1, 2)
                .filter(|h| *h < 24)
                .map(|h| hour = h)
                .ok_or_else(|| bad("hour")),
            Chunk::Hour12 | Chunk::ZeroHour12 => {
                let min = if *chunk == Chunk::ZeroHour12 { 2 } else { 1 };
                r.digits(min, 2)
                    .filter(|h| *h <= 12)
                    .map(|h| hour = h)
                    .ok_or_else(|| bad("hour"))
            }
            Chunk::Minute | Chunk::ZeroMinute => {
                let min = if *chunk == Chunk::ZeroMinute { 2 } else { 1 };
                r.digits(min, 2)
                    .filter(|m| *m < 60)
                    .map(|m| minute = m)
                    .ok_or_else(|| bad("minute"))
            }
            Chunk::Second | Chunk::ZeroSecond => {
                let min = if *chunk == Chunk::ZeroSecond { 2 } else { 1 };
                let parsed = r.digits(min, 2).filter(|s| *s < 60);
                // A fraction the layout does not spell is accepted after the seconds.
                if parsed.is_some()
                    && !matches!(chunks.get(i + 1), Some(Chunk::Fraction { .. }))
                    && (r.text.starts_with('.') || r.text.starts_with(','))
                    && r.text[1..].starts_with(|c: char| c.is_ascii_digit())
                {
                    r.text = &r.text[1..];
                    let n = r.text.bytes().take_while(u8::is_ascii_digit).count();
                    nanos = fraction(&r.text[..n]);
                    r.text = &r.text[n..];
                }
                parsed.map(|s| second = s).ok_or_else(|| bad("second"))
            }
            Chunk::LongYear => r.digits(4, 4).map(|y| year = y).ok_or_else(|| bad("year")),
            Chunk::Year => r
                .digits(2, 2)
                .map(|y| year = if y >= 69 { 1900 + y } else { 2000 + y })
                .ok_or_else(|| bad("year")),
            Chunk::PM | Chunk::Pm => {
                match r.text.get(..2).map(str::to_ascii_uppercase).as_deref() {
                    Some("PM") => {
                        pm = true;
                        r.text = &r.text[2..];
                        Ok(())
                    }
                    Some("AM") => {
                        am = true;
                        r.text = &r.text[2..];
                        Ok(())
                    }
                    _ => Err(bad("AM/PM")),
                }
            }
            Chunk::Zone => {
                // An abbreviation: UTC or GMT, else any upper-case name is taken as UTC
                // (Go makes up a zero-offset zone for abbreviations it does not know).
                let n = r.text.bytes().take_while(u8::is_ascii_uppercase).count();
                if n < 3 {
                    Err(bad("time zone"))
                } else {
                    r.text = &r.text[n..];
                    Ok(())
                }
            }
            Chunk::Offset {
                z,
                colon,
                minutes,
                seconds,
            } => {
                if z && r.text.starts_with('Z') {
                    r.text = &r.text[1..];
                    Ok(())
                } else {
                    let sign = match r.text.as_bytes().first() {
                        Some(b'+') => 1,
                        Some(b'-') => -1,
                        _ => 0,
                    };
                    if sign == 0 {
                        Err(bad("time zone offset"))
                    } else {
                        r.text = &r.text[1..];
                        let mut parts = vec![r.digits(2, 2)];
                        for wanted in [minutes, seconds] {
                            if wanted {
                                if colon && r.literal(":").is_none() {
                                    parts.push(None);
                                } else {
                                    parts.push(r.digits(2, 2));
                                }
                            }
                        }
                        if parts.iter().any(Option::is_none) {
                            Err(bad("time zone offset"))
                        } else {
                            let p: Vec<i64> = parts.into_iter().flatten().collect();
                            let secs = p[0] * 3600
                                + p.get(1).copied().unwrap_or(0) * 60
                                + p.get(2).copied().unwrap_or(0);
                            offset = sign * secs;
                            Ok(())
                        }
                    }
                }
            }
            Chunk::Fraction { digits, trim, sep } => {
                if r.text.starts_with(sep) || (trim && r.text.starts_with(['.', ','])) {
                    let n = r.text[1..].bytes().take_while(u8::is_ascii_digit).count();
                    if (!trim && n != digits) || n == 0 {
                        Err(bad("fractional second"))
                    } else {
                        nanos = fraction(&r.text[1..1 + n]);
                        r.text = &r.text[1 + n..];
                        Ok(())
                    }
                } else if trim {
                    Ok(())
                } else {
                    Err(bad("fractional second"))
                }
            }
        };
        ok?;
    }
    if !r.text.is_empty() {
        return Err(format!(
            "cannot parse {value:?} as {layout:?}: extra text {:?}",
            r.text
        ));
    }
    if pm && hour < 12 {
        hour += 12;
    } else if am && hour == 12 {
        hour = 0;
    }
    if day < 1 || day > days_in_month(year, month) {
        return Err(format!(
            "cannot parse {value:?} as {layout:?}: day out of range"
        ));
    }
    let sod = hour * 3600 + minute * 60 + second - offset;
    to_ns(year, month, day, sod, nanos)
        .ok_or_else(|| format!("{value:?} is outside the valid time range"))
}

/// Nanoseconds of a fraction's digits (`5` → 500000000).
fn fraction(digits: &str) -> i64 {
    let mut d: String = digits.chars().take(9).collect();
    while d.len() < 9 {
        d.push('0');
    }
    d.parse().unwrap_or(0)
}

/// `time.parse_ns(layout, value)`.
pub fn parse_ns(args: Vec<Value>) -> anyhow::Result<Value> {
    let (Some(Value::String(layout)), Some(Value::String(value))) = (args.first(), args.get(1))
    else {
        anyhow::bail!("time.parse_ns: operands must be strings");
    };
    match parse_layout(layout, value) {
        Ok(ns) => Ok(Value::from(ns)),
        Err(e) => anyhow::bail!("time.parse_ns: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(f: fn(Vec<Value>) -> anyhow::Result<Value>, args: Vec<Value>) -> Option<Value> {
        f(args).ok()
    }

    fn n(v: i64) -> Value {
        Value::from(v)
    }

    fn tz(ns: i64, zone: &str) -> Value {
        Value::from(vec![n(ns), Value::from(zone)])
    }

    fn ints(v: &[i64]) -> Option<Value> {
        Some(Value::from(v.iter().map(|i| n(*i)).collect::<Vec<_>>()))
    }

    /// 2017-06-02T19:00:00Z, a Friday: OPA's documentation uses 1496430000000000000.
    const T: i64 = 1_496_430_000_000_000_000;

    #[test]
    fn date_clock_and_weekday_follow_opa() {
        assert_eq!(call(date, vec![n(T)]), ints(&[2017, 6, 2]));
        assert_eq!(call(clock, vec![n(T)]), ints(&[19, 0, 0]));
        assert_eq!(call(weekday, vec![n(T)]), Some(Value::from("Friday")));
        // The array form; UTC, Local and "" are UTC here.
        for zone in ["UTC", "Local", ""] {
            assert_eq!(call(date, vec![tz(T, zone)]), ints(&[2017, 6, 2]));
        }
        // Another zone is not known offline: an error (undefined in the policy).
        assert_eq!(call(clock, vec![tz(T, "Europe/Paris")]), None);
        // Before the epoch, and the epoch itself (a Thursday).
        assert_eq!(call(date, vec![n(-1)]), ints(&[1969, 12, 31]));
        assert_eq!(call(clock, vec![n(-1)]), ints(&[23, 59, 59]));
        assert_eq!(call(weekday, vec![n(0)]), Some(Value::from("Thursday")));
        assert_eq!(call(date, vec![Value::from("x")]), None);
    }

    #[test]
    fn add_date_normalises_as_go() {
        let ns = |s: &str| super::super::rego_builtins::rfc3339_ns(s).unwrap();
        let add =
            |t: &str, y: i64, m: i64, d: i64| call(add_date, vec![n(ns(t)), n(y), n(m), n(d)]);
        assert_eq!(
            add("2017-06-02T19:00:00Z", 1, 1, 1),
            Some(n(ns("2018-07-03T19:00:00Z")))
        );
        // October 32nd is November 1st; January 31st plus a month is March 3rd (2017).
        assert_eq!(
            add("2017-10-31T00:00:00Z", 0, 0, 1),
            Some(n(ns("2017-11-01T00:00:00Z")))
        );
        assert_eq!(
            add("2017-01-31T00:00:00Z", 0, 1, 0),
            Some(n(ns("2017-03-03T00:00:00Z")))
        );
        assert_eq!(
            add("2020-02-29T12:30:00.5Z", -1, 0, 0),
            Some(n(ns("2019-03-01T12:30:00.5Z")))
        );
        // Beyond what an int64 of nanoseconds holds: undefined.
        assert_eq!(add("2017-06-02T19:00:00Z", 300, 0, 0), None);
    }

    #[test]
    fn diff_borrows_as_opa() {
        let ns = |s: &str| super::super::rego_builtins::rfc3339_ns(s).unwrap();
        let d = |a: &str, b: &str| call(diff, vec![n(ns(a)), n(ns(b))]);
        assert_eq!(
            d("2017-06-02T19:00:00Z", "2018-07-03T20:01:02Z"),
            ints(&[1, 1, 1, 1, 1, 2])
        );
        // Order does not matter.
        assert_eq!(
            d("2018-07-03T20:01:02Z", "2017-06-02T19:00:00Z"),
            ints(&[1, 1, 1, 1, 1, 2])
        );
        // Borrowing a day takes the first month's length (January: 31).
        assert_eq!(
            d("2021-01-31T00:00:00Z", "2021-03-01T00:00:00Z"),
            ints(&[0, 1, 1, 0, 0, 0])
        );
        assert_eq!(
            d("2021-12-31T23:59:59Z", "2022-01-01T00:00:00Z"),
            ints(&[0, 0, 0, 0, 0, 1])
        );
        assert_eq!(
            call(diff, vec![tz(0, "UTC"), n(86_400 * NS)]),
            ints(&[0, 0, 1, 0, 0, 0])
        );
    }

    #[test]
    fn format_prints_go_layouts() {
        let f = |v: Value| {
            call(format, vec![v]).and_then(|v| v.as_string().ok().map(|s| s.to_string()))
        };
        let lay =
            |l: &str| Value::from(vec![n(T + 123_000_000), Value::from("UTC"), Value::from(l)]);
        assert_eq!(f(n(T)).as_deref(), Some("2017-06-02T19:00:00Z"));
        assert_eq!(
            f(n(T + 500)).as_deref(),
            Some("2017-06-02T19:00:00.0000005Z")
        );
        assert_eq!(f(lay("RFC822Z")).as_deref(), Some("02 Jun 17 19:00 +0000"));
        assert_eq!(
            f(lay("RFC1123")).as_deref(),
            Some("Fri, 02 Jun 2017 19:00:00 UTC")
        );
        assert_eq!(f(lay("Kitchen")).as_deref(), Some("7:00PM"));
        assert_eq!(f(lay("StampMilli")).as_deref(), Some("Jun  2 19:00:00.123"));
        assert_eq!(
            f(lay("2006_01_02_15_04_05")).as_deref(),
            Some("2017_06_02_19_00_00")
        );
        assert_eq!(
            f(lay("Monday January 2 3:4:5.999 pm -07:00")).as_deref(),
            Some("Friday June 2 7:0:0.123 pm +00:00")
        );
        assert_eq!(f(tz(T, "America/New_York")), None);
    }

    #[test]
    fn parse_ns_reads_go_layouts() {
        let p = |l: &str, v: &str| call(parse_ns, vec![Value::from(l), Value::from(v)]);
        let ns = |s: &str| Some(n(super::super::rego_builtins::rfc3339_ns(s).unwrap()));
        assert_eq!(p("2006-01-02", "1999-01-01"), ns("1999-01-01T00:00:00Z"));
        assert_eq!(
            p("2006-01-02T15:04:05Z07:00", "2017-06-02T21:00:00+02:00"),
            ns("2017-06-02T19:00:00Z")
        );
        assert_eq!(
            p("2006-01-02T15:04:05Z07:00", "2017-06-02T19:00:00.25Z"),
            ns("2017-06-02T19:00:00.25Z")
        );
        assert_eq!(
            p("02 Jan 06 15:04 MST", "02 Jun 17 19:00 UTC"),
            ns("2017-06-02T19:00:00Z")
        );
        assert_eq!(
            p("Jan _2 2006 3:04PM", "jun  2 2017 7:00pm"),
            ns("2017-06-02T19:00:00Z")
        );
        assert_eq!(
            p(
                "2006-01-02 15:04:05.000 -0700",
                "2017-06-02 12:00:00.500 -0700"
            ),
            ns("2017-06-02T19:00:00.5Z")
        );
        // Errors: another layout, a day out of range, text left over, a year-0 time.
        assert_eq!(p("2006-01-02", "01/02/2006"), None);
        assert_eq!(p("2006-01-02", "2017-02-30"), None);
        assert_eq!(p("2006-01-02", "2017-02-03 extra"), None);
        assert_eq!(p("15:04", "19:00"), None);
    }
}

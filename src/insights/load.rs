//! Training load: a load figure per workout (Banister's heart-rate TRIMP, or a duration ×
//! intensity estimate when there is no heart rate), and the daily fitness/fatigue/form model
//! built from it — ATL and CTL as exponentially weighted averages, TSB = CTL − ATL, the
//! acute:chronic ratio and a plain status word.

use chrono::{Datelike, NaiveDate};

/// Banister's weighting coefficients for men, TRIMP = t·HRr·0.64·e^(1.92·HRr) (Banister,
/// 1991). The women's variant uses 0.86·e^(1.67·HRr); VitaSync does not record sex, so it uses
/// one curve for everyone: the men's one, which rises more steeply at high intensity.
pub const TRIMP_A: f64 = 0.64;
/// The exponent coefficient paired with [`TRIMP_A`].
pub const TRIMP_B: f64 = 1.92;

/// Load per minute of the duration fallback at intensity factor 1.0: the TRIMP of one minute at
/// a heart-rate reserve of 0.6, i.e. 0.6·0.64·e^(1.92·0.6) = 1.215174. An hour at factor 1.0
/// therefore counts as ≈ 72.9, the same as an hour of heart-rate TRIMP at HRr 0.6.
pub const FALLBACK_TRIMP_PER_MINUTE: f64 = 1.215_174;

/// Maximum heart rate used only when the person has set neither a maximum heart rate nor a
/// birth year: Tanaka's estimate at age 40, 208 − 0.7·40 = 180 bpm, the middle of the adult
/// range. (The upstream used a fixed 190 bpm for everyone.)
pub const DEFAULT_MAX_HR: f64 = 180.0;

/// Resting heart rate used for TRIMP when the person has no resting-heart-rate baseline yet.
pub const DEFAULT_RESTING_HR: f64 = 60.0;

/// Days of the acute (fatigue) average: ATL moves 1/7 of the way to each day's load.
pub const ATL_DAYS: f64 = 7.0;
/// Days of the chronic (fitness) average: CTL moves 1/42 of the way to each day's load.
pub const CTL_DAYS: f64 = 42.0;

/// Chronic load below which fitness is too small for ratios and "peaked" to mean anything:
/// about an hour of moderate training a week kept up for weeks. Below it the acute:chronic
/// ratio is not reported.
pub const MIN_CHRONIC_LOAD: f64 = 10.0;

/// Acute:chronic ratio above which load is rising faster than fitness can follow (the upper
/// edge of the 0.8–1.3 "sweet spot" plus margin; Gabbett, 2016).
pub const ACWR_OVERREACHED: f64 = 1.5;

/// Banister's training impulse for one session: HRr = (avg − rest)/(max − rest), clamped to
/// [0, 1], and TRIMP = minutes·HRr·0.64·e^(1.92·HRr). `None` when an input is not finite, the
/// duration is negative, or the maximum is not above the resting rate.
pub fn trimp_banister(minutes: f64, avg_hr: f64, resting_hr: f64, max_hr: f64) -> Option<f64> {
    if ![minutes, avg_hr, resting_hr, max_hr]
        .iter()
        .all(|v| v.is_finite())
    {
        return None;
    }
    if minutes < 0.0 || max_hr <= resting_hr {
        return None;
    }
    let hrr = ((avg_hr - resting_hr) / (max_hr - resting_hr)).clamp(0.0, 1.0);
    Some(minutes * hrr * TRIMP_A * (TRIMP_B * hrr).exp())
}

/// How hard an activity usually is, relative to running (1.0), for the duration fallback.
///
/// | activity | factor |
/// |---|---|
/// | running, hiit | 1.0 |
/// | swimming, rowing | 0.9 |
/// | cycling | 0.8 |
/// | strength…, hiking, anything else | 0.6 |
/// | walking | 0.4 |
/// | yoga, pilates | 0.3 |
/// | sleep, nap | 0.0 (not training) |
pub fn intensity_factor(activity_type: &str) -> f64 {
    let kind = activity_type.trim().to_ascii_lowercase();
    match kind.as_str() {
        "running" | "hiit" => 1.0,
        "swimming" | "rowing" => 0.9,
        "cycling" => 0.8,
        "walking" => 0.4,
        "yoga" | "pilates" => 0.3,
        "sleep" | "nap" => 0.0,
        _ => 0.6,
    }
}

/// Load of a session without heart rate: minutes × [`intensity_factor`] ×
/// [`FALLBACK_TRIMP_PER_MINUTE`], so an hour of running ≈ 72.9. A negative or non-finite
/// duration counts as no load.
pub fn fallback_load(minutes: f64, activity_type: &str) -> f64 {
    if !minutes.is_finite() || minutes <= 0.0 {
        return 0.0;
    }
    minutes * intensity_factor(activity_type) * FALLBACK_TRIMP_PER_MINUTE
}

/// Where a session's load came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadBasis {
    /// Banister TRIMP from the session's average heart rate.
    HeartRate,
    /// Duration × activity intensity, for sessions without heart rate.
    Duration,
}

/// A session's load: TRIMP when its average heart rate is known, else the duration fallback.
pub fn session_load(
    minutes: f64,
    avg_hr: Option<f64>,
    resting_hr: f64,
    max_hr: f64,
    activity_type: &str,
) -> (f64, LoadBasis) {
    match avg_hr.and_then(|hr| trimp_banister(minutes, hr, resting_hr, max_hr)) {
        Some(trimp) => (trimp, LoadBasis::HeartRate),
        None => (fallback_load(minutes, activity_type), LoadBasis::Duration),
    }
}

/// Estimated maximum heart rate at `age` years: 208 − 0.7·age (Tanaka, Monahan & Seals, 2001).
pub fn max_hr_from_age(age: f64) -> f64 {
    208.0 - 0.7 * age
}

/// Tanaka's estimate for someone born in `birth_year`, on `on`. With only a year of birth the
/// age is one of two whole numbers; the midpoint (year − birth year − ½) is used, off by at
/// most ±0.35 bpm. `None` for an implausible age (under 10 or over 110).
pub fn max_hr_from_birth_year(birth_year: i32, on: NaiveDate) -> Option<f64> {
    let age = f64::from(on.year() - birth_year) - 0.5;
    if (10.0..=110.0).contains(&age) {
        Some(max_hr_from_age(age))
    } else {
        None
    }
}

/// The maximum heart rate to use: the person's own setting when plausible (100–230 bpm), else
/// Tanaka's estimate from their birth year, else [`DEFAULT_MAX_HR`].
pub fn resolve_max_hr(setting: Option<f64>, birth_year: Option<i32>, on: NaiveDate) -> f64 {
    setting
        .filter(|hr| (100.0..=230.0).contains(hr))
        .or_else(|| birth_year.and_then(|y| max_hr_from_birth_year(y, on)))
        .unwrap_or(DEFAULT_MAX_HR)
}

/// Fatigue (ATL) and fitness (CTL) after a day, both starting from zero.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct LoadState {
    pub atl: f64,
    pub ctl: f64,
}

impl LoadState {
    /// The state after one more day with `load`: each average moves 1/N of the way towards the
    /// day's load, x_t = x_{t−1} + (load − x_{t−1})/N with N = 7 for ATL and 42 for CTL (the
    /// TrainingPeaks Performance Manager form of Banister's fitness–fatigue model). A negative
    /// or non-finite load counts as a rest day.
    pub fn step(self, load: f64) -> LoadState {
        let load = if load.is_finite() && load > 0.0 {
            load
        } else {
            0.0
        };
        LoadState {
            atl: self.atl + (load - self.atl) / ATL_DAYS,
            ctl: self.ctl + (load - self.ctl) / CTL_DAYS,
        }
    }

    /// Form (TSB) after this day: CTL − ATL, i.e. the form going into the next day.
    pub fn form(self) -> f64 {
        self.ctl - self.atl
    }

    /// The acute:chronic ratio ATL/CTL, only once CTL reaches [`MIN_CHRONIC_LOAD`].
    pub fn acwr(self) -> Option<f64> {
        if self.ctl >= MIN_CHRONIC_LOAD {
            Some(self.atl / self.ctl)
        } else {
            None
        }
    }
}

/// What the fitness/fatigue balance says about a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Well rested with real fitness behind it: a good day to race or test.
    Peaked,
    /// Rested: fatigue below fitness.
    Fresh,
    /// Training and recovery roughly in balance.
    Neutral,
    /// Fatigue well above fitness: normal in a training block, not for long.
    Fatigued,
    /// Fatigue far above fitness, or load rising much faster than fitness.
    Overreached,
}

/// TSB at or above which a day is [`Status::Peaked`] (with CTL ≥ [`MIN_CHRONIC_LOAD`]).
pub const TSB_PEAKED: f64 = 20.0;
/// TSB at or above which a day is [`Status::Fresh`].
pub const TSB_FRESH: f64 = 5.0;
/// TSB at or above which a day is [`Status::Neutral`].
pub const TSB_NEUTRAL: f64 = -10.0;
/// TSB at or above which a day is [`Status::Fatigued`]; below it, [`Status::Overreached`].
pub const TSB_FATIGUED: f64 = -30.0;

impl Status {
    /// The status from form (TSB), fitness (CTL) and the acute:chronic ratio. In order:
    /// ACWR > 1.5 → overreached; TSB ≥ +20 with CTL ≥ 10 → peaked; TSB ≥ +5 → fresh;
    /// TSB ≥ −10 → neutral; TSB ≥ −30 → fatigued; else overreached. ("Peaked" needs fitness:
    /// a rested person who does not train is just fresh. The ACWR only exists once CTL ≥ 10.)
    pub fn classify(tsb: f64, ctl: f64, acwr: Option<f64>) -> Status {
        if acwr.is_some_and(|r| r > ACWR_OVERREACHED) {
            Status::Overreached
        } else if tsb >= TSB_PEAKED && ctl >= MIN_CHRONIC_LOAD {
            Status::Peaked
        } else if tsb >= TSB_FRESH {
            Status::Fresh
        } else if tsb >= TSB_NEUTRAL {
            Status::Neutral
        } else if tsb >= TSB_FATIGUED {
            Status::Fatigued
        } else {
            Status::Overreached
        }
    }

    /// The stored and API form: `peaked`, `fresh`, `neutral`, `fatigued`, `overreached`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Peaked => "peaked",
            Status::Fresh => "fresh",
            Status::Neutral => "neutral",
            Status::Fatigued => "fatigued",
            Status::Overreached => "overreached",
        }
    }

    /// The word shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Status::Peaked => "Peaked",
            Status::Fresh => "Fresh",
            Status::Neutral => "Neutral",
            Status::Fatigued => "Fatigued",
            Status::Overreached => "Overreached",
        }
    }

    /// The inverse of [`Status::as_str`].
    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Peaked,
            Status::Fresh,
            Status::Neutral,
            Status::Fatigued,
            Status::Overreached,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

/// One day of the fitness/fatigue model.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct DayLoad {
    /// The day's total load.
    pub load: f64,
    /// Fatigue after the day.
    pub atl: f64,
    /// Fitness after the day.
    pub ctl: f64,
    /// Form going into the day: yesterday's CTL − yesterday's ATL. TrainingPeaks' convention —
    /// form describes how ready you are for the day's training, so it must not drop the moment
    /// the day's own workout syncs. (The form after the day is `ctl − atl` of this row, which
    /// is the next day's `tsb`.)
    pub tsb: f64,
    /// ATL/CTL after the day, when CTL ≥ [`MIN_CHRONIC_LOAD`]: how the recent load, this day
    /// included, compares with what the body is used to.
    pub acwr: Option<f64>,
    /// [`Status::classify`] of this row's `tsb`, `ctl` and `acwr`.
    pub status: Status,
}

/// The model over consecutive daily loads (one per day, rest days as 0), from zero.
pub fn series(loads: &[f64]) -> Vec<DayLoad> {
    series_from(LoadState::default(), loads)
}

/// The model continued from `start` (the state after the day before `loads[0]`), so an
/// incremental update gives the same rows as a full recomputation.
pub fn series_from(start: LoadState, loads: &[f64]) -> Vec<DayLoad> {
    let mut state = start;
    loads
        .iter()
        .map(|&load| {
            let tsb = state.form();
            state = state.step(load);
            let acwr = state.acwr();
            DayLoad {
                load: if load.is_finite() && load > 0.0 {
                    load
                } else {
                    0.0
                },
                atl: state.atl,
                ctl: state.ctl,
                tsb,
                acwr,
                status: Status::classify(tsb, state.ctl, acwr),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn trimp_golden() {
        // 60 min at avg 150, rest 50, max 190: HRr = 100/140 = 0.714286;
        // 1.92·HRr = 1.371429, e^1.371429 = 3.940977;
        // TRIMP = 60 · 0.714286 · 0.64 · 3.940977 = 27.428571 · 3.940977 = 108.0954.
        let t = trimp_banister(60.0, 150.0, 50.0, 190.0).unwrap_or(0.0);
        assert!(close(t, 108.0954, 1e-3), "{t}");
        // HRr clamps: below rest → 0; above max → 1 (60·0.64·e^1.92 = 262.02).
        assert_eq!(trimp_banister(30.0, 40.0, 50.0, 190.0), Some(0.0));
        let top = trimp_banister(60.0, 200.0, 50.0, 190.0).unwrap_or(0.0);
        assert!(close(top, 60.0 * 0.64 * 1.92_f64.exp(), 1e-9));
        assert_eq!(trimp_banister(60.0, 150.0, 190.0, 190.0), None);
        assert_eq!(trimp_banister(f64::NAN, 150.0, 50.0, 190.0), None);
    }

    #[test]
    fn fallback_matches_trimp_at_hrr_06() {
        // The constant is the TRIMP of one minute at HRr 0.6: 0.6·0.64·e^1.152 = 1.215174.
        let per_minute = 0.6 * TRIMP_A * (TRIMP_B * 0.6).exp();
        assert!(close(FALLBACK_TRIMP_PER_MINUTE, per_minute, 1e-6));
        // An hour of running = 60·1.0·1.215174 = 72.91; of walking 60·0.4·1.215174 = 29.16.
        assert!(close(fallback_load(60.0, "running"), 72.910_44, 1e-4));
        assert!(close(fallback_load(60.0, "Walking"), 29.164_18, 1e-4));
        assert_eq!(fallback_load(480.0, "sleep"), 0.0);
        assert_eq!(fallback_load(-5.0, "running"), 0.0);
        assert_eq!(intensity_factor("strength_training"), 0.6);
        // No heart rate → the fallback; with one → TRIMP.
        let (l, basis) = session_load(60.0, None, 50.0, 190.0, "cycling");
        assert_eq!(basis, LoadBasis::Duration);
        assert!(close(l, 60.0 * 0.8 * FALLBACK_TRIMP_PER_MINUTE, 1e-9));
        assert_eq!(
            session_load(60.0, Some(150.0), 50.0, 190.0, "x").1,
            LoadBasis::HeartRate
        );
    }

    #[test]
    fn max_hr() {
        // Tanaka: 208 − 0.7·40 = 180. Born 1985, on 2025-06-01: age 39.5 → 208 − 27.65 = 180.35.
        assert!(close(max_hr_from_age(40.0), 180.0, 1e-12));
        let on = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap_or_default();
        assert!(close(
            max_hr_from_birth_year(1985, on).unwrap_or(0.0),
            180.35,
            1e-9
        ));
        assert_eq!(max_hr_from_birth_year(2024, on), None);
        assert_eq!(resolve_max_hr(Some(196.0), Some(1985), on), 196.0);
        assert!(close(
            resolve_max_hr(Some(40.0), Some(1985), on),
            180.35,
            1e-9
        ));
        assert_eq!(resolve_max_hr(None, None, on), DEFAULT_MAX_HR);
    }

    #[test]
    fn ewma_golden() {
        // From zero with loads [100, 0, 50]:
        // ATL: 0 + 100/7 = 14.285714; 14.285714·6/7 = 12.244898;
        //      12.244898 + (50 − 12.244898)/7 = 17.638484.
        // CTL: 100/42 = 2.380952; 2.380952·41/42 = 2.324263;
        //      2.324263 + (50 − 2.324263)/42 = 3.459400.
        // TSB (going into each day): 0; 2.380952 − 14.285714 = −11.904762;
        //      2.324263 − 12.244898 = −9.920635.
        let days = series(&[100.0, 0.0, 50.0]);
        let atl = [14.285_714, 12.244_898, 17.638_484];
        let ctl = [2.380_952, 2.324_263, 3.459_400];
        let tsb = [0.0, -11.904_762, -9.920_635];
        for (i, d) in days.iter().enumerate() {
            assert!(close(d.atl, atl[i], 1e-5), "atl day {i}: {}", d.atl);
            assert!(close(d.ctl, ctl[i], 1e-5), "ctl day {i}: {}", d.ctl);
            assert!(close(d.tsb, tsb[i], 1e-5), "tsb day {i}: {}", d.tsb);
            assert_eq!(d.acwr, None, "CTL below 10: no ratio");
        }
        // Statuses: 0 → neutral; −11.9 → fatigued; −9.9 → neutral.
        let st: Vec<Status> = days.iter().map(|d| d.status).collect();
        assert_eq!(st, vec![Status::Neutral, Status::Fatigued, Status::Neutral]);
    }

    #[test]
    fn incremental_equals_full() {
        let loads = [80.0, 0.0, 120.0, 40.0, 0.0, 95.0];
        let full = series(&loads);
        let head = series(&loads[..3]);
        let last = head[2];
        let start = LoadState {
            atl: last.atl,
            ctl: last.ctl,
        };
        assert_eq!(series_from(start, &loads[3..]), full[3..].to_vec());
    }

    #[test]
    fn status_examples() {
        // Peaked needs fitness; the same TSB without it is only fresh.
        assert_eq!(Status::classify(25.0, 60.0, Some(0.6)), Status::Peaked);
        assert_eq!(Status::classify(25.0, 5.0, None), Status::Fresh);
        assert_eq!(Status::classify(5.0, 50.0, Some(0.9)), Status::Fresh);
        assert_eq!(Status::classify(-10.0, 50.0, Some(1.2)), Status::Neutral);
        assert_eq!(Status::classify(-30.0, 50.0, Some(1.4)), Status::Fatigued);
        assert_eq!(
            Status::classify(-30.1, 50.0, Some(1.4)),
            Status::Overreached
        );
        // Load far ahead of fitness is overreached whatever the TSB.
        assert_eq!(Status::classify(-5.0, 40.0, Some(1.6)), Status::Overreached);
        // A steady 60 a day for a year: ATL = CTL ≈ 60, TSB ≈ 0, ACWR ≈ 1 → neutral.
        let steady = series(&[60.0; 365]);
        let last = steady[364];
        assert!(close(last.acwr.unwrap_or(0.0), 1.0, 1e-3));
        assert_eq!(last.status, Status::Neutral);
        for st in [Status::Peaked, Status::Overreached] {
            assert_eq!(Status::parse(st.as_str()), Some(st));
        }
    }
}

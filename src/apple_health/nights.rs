//! Sleep samples folded into nights while the file is read (the streaming half of `sleep`).
//!
//! A night is a run of samples each starting at most two hours after the latest end before it
//! ([`NIGHT_GAP_SECONDS`]). Each open night keeps one [`DeviceNight`] per device (seconds per
//! stage and a span), never its samples, so a night of a thousand samples takes the room of
//! one. A sample joins every open night it comes within the gap of (joining them when it
//! bridges two), which gives the very nights that sorting every sample first and cutting at
//! the gaps gives, in whatever order the samples arrive: Apple's exports list them mostly in
//! time order per device, not strictly, and not always interleaved.
//!
//! Memory is bounded by [`MAX_OPEN`] device summaries (about 8 MB at most; sixty years of a
//! phone and a watch every night stay under it, so real exports are folded exactly). Past it
//! the oldest open night is finished and handed over while the read goes on. That assumes a
//! file with more nights than that lists its samples mostly in time order, so the oldest open
//! night is complete by then; a sample arriving after its night was handed over (more than
//! [`MAX_OPEN`] summaries late) makes a night of its own.

use std::collections::BTreeMap;

use super::sleep::{night, DeviceNight, Night, Slept, NIGHT_GAP_SECONDS};

/// Device summaries kept in memory at most (each about 128 bytes with its share of the map).
pub(super) const MAX_OPEN: usize = 65_536;

struct Open {
    /// The latest end of its samples.
    end: i64,
    /// One per device, by device number.
    devices: Vec<DeviceNight>,
}

impl Open {
    fn device(&mut self, source: u16) -> &mut DeviceNight {
        let i = match self.devices.binary_search_by_key(&source, |d| d.source) {
            Ok(i) => i,
            Err(i) => {
                self.devices.insert(i, DeviceNight::new(source));
                i
            }
        };
        &mut self.devices[i]
    }

    /// Takes `other` in (the smaller list is merged into the larger).
    fn absorb(&mut self, mut other: Open) {
        self.end = self.end.max(other.end);
        if other.devices.len() > self.devices.len() {
            std::mem::swap(&mut self.devices, &mut other.devices);
        }
        for d in &other.devices {
            self.device(d.source).merge(d);
        }
    }
}

/// The nights being folded.
pub(super) struct Nights {
    /// Open nights by their first start. No two overlap or come within the gap of each other,
    /// so ordered by start they are ordered by end too.
    open: BTreeMap<i64, Open>,
    /// Device summaries held in `open`.
    summaries: usize,
    limit: usize,
}

impl Nights {
    pub(super) fn new() -> Self {
        Self::with_limit(MAX_OPEN)
    }

    pub(super) fn with_limit(limit: usize) -> Self {
        Nights {
            open: BTreeMap::new(),
            summaries: 0,
            limit: limit.max(1),
        }
    }

    /// Device summaries held (the whole of this fold's memory, with the map's entries).
    #[cfg(test)]
    pub(super) fn summaries(&self) -> usize {
        self.summaries
    }

    /// Nights open.
    #[cfg(test)]
    pub(super) fn open(&self) -> usize {
        self.open.len()
    }

    /// Folds one sample (`end > start`) in; returns the nights that had to leave memory to
    /// make room (usually none).
    pub(super) fn add(&mut self, s: Slept) -> Vec<Night> {
        // The open nights it reaches: those starting by its end plus the gap and ending no
        // earlier than its start less the gap, a run just before `end + gap` in the map.
        let touching: Vec<i64> = self
            .open
            .range(..=s.end.saturating_add(NIGHT_GAP_SECONDS))
            .rev()
            .take_while(|(_, n)| n.end >= s.start.saturating_sub(NIGHT_GAP_SECONDS))
            .map(|(start, _)| *start)
            .collect();
        let mut start = s.start;
        let mut merged: Option<Open> = None;
        for key in touching {
            let Some(other) = self.open.remove(&key) else {
                continue;
            };
            self.summaries -= other.devices.len();
            start = start.min(key);
            merged = Some(match merged.take() {
                Some(mut m) => {
                    m.absorb(other);
                    m
                }
                None => other,
            });
        }
        let mut night_now = merged.unwrap_or(Open {
            end: s.end,
            devices: Vec::new(),
        });
        night_now.end = night_now.end.max(s.end);
        night_now.device(s.source).add(&s);
        self.summaries += night_now.devices.len();
        self.open.insert(start, night_now);
        let mut out = Vec::new();
        while self.summaries > self.limit && self.open.len() > 1 {
            let Some((_, oldest)) = self.open.pop_first() else {
                break;
            };
            self.summaries -= oldest.devices.len();
            out.extend(night(&oldest.devices));
        }
        out
    }

    /// The nights still open, in time order (once the whole file is read).
    pub(super) fn finish(&mut self) -> Vec<Night> {
        self.summaries = 0;
        std::mem::take(&mut self.open)
            .into_values()
            .filter_map(|n| night(&n.devices))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::super::sleep::{session, Stage, STAGES};
    use super::*;

    /// The nights as sorting every sample first made them before nights were folded while
    /// reading (the former `sleep::nights`, kept as the reference).
    fn sorted_first(mut samples: Vec<Slept>) -> Vec<Night> {
        samples.sort_by_key(|s| (s.start, s.end));
        let mut out = Vec::new();
        let mut i = 0;
        while i < samples.len() {
            let mut end = samples[i].end;
            let mut j = i + 1;
            while j < samples.len() && samples[j].start <= end + NIGHT_GAP_SECONDS {
                end = end.max(samples[j].end);
                j += 1;
            }
            out.extend(reference_night(&samples[i..j]));
            i = j;
        }
        out
    }

    fn reference_night(session_samples: &[Slept]) -> Option<Night> {
        let mut per_source: HashMap<u16, i64> = HashMap::new();
        let asleep = |s: &&Slept| {
            matches!(
                s.stage,
                Stage::Asleep | Stage::Core | Stage::Deep | Stage::Rem
            )
        };
        for s in session_samples.iter().filter(asleep) {
            *per_source.entry(s.source).or_default() += s.end - s.start;
        }
        let (&source, _) = per_source
            .iter()
            .max_by_key(|(src, secs)| (**secs, std::cmp::Reverse(**src)))?;
        let mine: Vec<&Slept> = session_samples
            .iter()
            .filter(|s| s.source == source && s.stage != Stage::InBed)
            .collect();
        let start = mine.iter().map(|s| s.start).min()?;
        let end = mine.iter().map(|s| s.end).max()?;
        let mut seconds = [0i64; STAGES];
        for s in &mine {
            seconds[s.stage as usize] += s.end - s.start;
        }
        session(start, end, &seconds)
    }

    fn folded(samples: &[Slept], limit: usize) -> Vec<Night> {
        let mut n = Nights::with_limit(limit);
        let mut out = Vec::new();
        for s in samples {
            out.extend(n.add(*s));
        }
        out.extend(n.finish());
        out
    }

    /// What is compared: each session's id and data, in time order.
    fn seen(nights: Vec<Night>) -> Vec<(String, serde_json::Value)> {
        let mut v: Vec<_> = nights
            .into_iter()
            .map(|n| (n.event.provider_event_id, n.data))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    /// A small deterministic generator (64-bit LCG).
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % n
        }
    }

    const STAGE_LIST: [Stage; STAGES] = [
        Stage::InBed,
        Stage::Asleep,
        Stage::Core,
        Stage::Deep,
        Stage::Rem,
        Stage::Awake,
    ];

    /// Nights of a phone, a watch and an app: overlapping samples, gaps around two hours,
    /// naps, "in bed" alone, duplicates.
    fn messy_samples(nights: i64, rng: &mut Rng) -> Vec<Slept> {
        let mut out = Vec::new();
        for night in 0..nights {
            let bed = 1_700_000_000 + night * 86_400 + rng.below(4 * 3600) as i64;
            for source in 0..3u16 {
                if rng.below(4) == 0 {
                    continue;
                }
                let mut t = bed + rng.below(3600) as i64;
                for _ in 0..(1 + rng.below(12)) {
                    let len = 300 + rng.below(2 * 3600) as i64;
                    let stage = STAGE_LIST[rng.below(STAGES as u64) as usize];
                    out.push(Slept {
                        start: t,
                        end: t + len,
                        stage,
                        source,
                    });
                    if rng.below(10) == 0 {
                        let again = out[out.len() - 1];
                        out.push(again);
                    }
                    // Mostly back to back; sometimes a gap just under or over two hours.
                    t += len
                        + match rng.below(6) {
                            0 => NIGHT_GAP_SECONDS - 60,
                            1 => NIGHT_GAP_SECONDS + 60,
                            _ => 0,
                        };
                }
            }
            if rng.below(5) == 0 {
                // An afternoon nap.
                let nap = bed + 14 * 3600;
                out.push(Slept {
                    start: nap,
                    end: nap + 1800,
                    stage: Stage::Asleep,
                    source: 1,
                });
            }
        }
        out
    }

    #[test]
    fn folding_gives_the_nights_sorting_gave_in_any_order() {
        let mut rng = Rng(42);
        // Night after night, each device's samples in turn (as an export lists them).
        let in_order = messy_samples(300, &mut rng);
        let expected = seen(sorted_first(in_order.clone()));
        assert!(expected.len() > 100, "{}", expected.len());

        let reversed: Vec<Slept> = in_order.iter().rev().copied().collect();
        let mut by_device = in_order.clone();
        by_device.sort_by_key(|s| s.source);
        let mut shuffled = in_order.clone();
        for i in (1..shuffled.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            shuffled.swap(i, j);
        }
        for (name, order) in [
            ("in order", &in_order),
            ("reversed", &reversed),
            ("device after device", &by_device),
            ("shuffled", &shuffled),
        ] {
            assert_eq!(seen(folded(order, MAX_OPEN)), expected, "{name}");
        }
        // In time order, the nights pushed out of memory early are complete: the same nights.
        let mut by_time = in_order.clone();
        by_time.sort_by_key(|s| (s.start, s.end));
        assert_eq!(seen(folded(&by_time, 8)), expected, "a small limit");
    }

    #[test]
    fn memory_is_bounded_by_nights_not_samples() {
        // 100,000 nights of a phone and a watch, 8 samples each, in time order.
        let mut nights = Nights::new();
        let (mut handed_over, mut most) = (0usize, 0usize);
        for night in 0..100_000i64 {
            let bed = 1_500_000_000 + night * 86_400;
            for k in 0..8i64 {
                let source = (k % 2) as u16;
                let start = bed + k * 1800;
                let stage = if source == 0 {
                    Stage::InBed
                } else {
                    Stage::Core
                };
                handed_over += nights
                    .add(Slept {
                        start,
                        end: start + 1800,
                        stage,
                        source,
                    })
                    .len();
                most = most.max(nights.summaries());
            }
        }
        assert!(most <= MAX_OPEN, "{most} summaries held");
        assert_eq!(nights.open() * 2, nights.summaries(), "one per device");
        assert!(
            handed_over > 60_000,
            "nights leave memory as the read goes on"
        );
        assert_eq!(handed_over + nights.finish().len(), 100_000);
        assert_eq!(nights.summaries(), 0);

        // One night of 200,000 samples from two devices is two summaries.
        let mut one = Nights::new();
        for k in 0..200_000i64 {
            let start = 1_600_000_000 + k % 3600;
            assert!(one
                .add(Slept {
                    start,
                    end: start + 60,
                    stage: Stage::Deep,
                    source: (k % 2) as u16,
                })
                .is_empty());
        }
        assert_eq!((one.open(), one.summaries()), (1, 2));
        let n = one.finish();
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].data["stages"]["deep"], serde_json::json!(100_000.0));
    }
}

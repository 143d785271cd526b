//! Where readings come from: display names of providers, and which source wins when several
//! report the same daily metric (the user's order from Settings, else a sensible default).

use super::catalogue::{Category, MetricInfo};

/// How a provider id is shown to people.
pub fn source_name(id: &str) -> String {
    let known = match id {
        "manual" => "Manual entry",
        "demo" => "Demo data",
        "fitbit" => "Fitbit",
        "garmin" => "Garmin",
        "whoop" => "WHOOP",
        "strava" => "Strava",
        "withings" => "Withings",
        "oura" => "Oura",
        "polar" => "Polar",
        "apple_health" => "Apple Health",
        "api" => "API",
        _ => "",
    };
    if known.is_empty() {
        let mut s = id.replace('_', " ");
        if let Some(first) = s.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        s
    } else {
        known.to_string()
    }
}

/// Default order per metric family: rings and straps measure sleep and recovery best, watches
/// count steps, scales weigh; what a person typed in wins for body measurements they take by
/// hand, and demo data always comes last.
pub fn default_order(metric: &MetricInfo) -> &'static [&'static str] {
    match metric.category {
        Category::Activity | Category::Workouts => &[
            "garmin",
            "fitbit",
            "apple_health",
            "polar",
            "oura",
            "whoop",
            "strava",
            "withings",
            "manual",
            "api",
            "demo",
        ],
        Category::Sleep | Category::Recovery | Category::Breathing => &[
            "oura",
            "whoop",
            "garmin",
            "fitbit",
            "polar",
            "withings",
            "apple_health",
            "manual",
            "api",
            "demo",
        ],
        Category::Cardiovascular => &[
            "whoop",
            "oura",
            "garmin",
            "polar",
            "fitbit",
            "apple_health",
            "withings",
            "manual",
            "api",
            "demo",
        ],
        Category::Body => &[
            "withings",
            "manual",
            "garmin",
            "fitbit",
            "apple_health",
            "oura",
            "polar",
            "whoop",
            "api",
            "demo",
        ],
    }
}

/// The effective order: the user's choices first, then the defaults, then anything else.
pub fn effective_order(metric: &MetricInfo, user: Option<&[String]>) -> Vec<String> {
    let mut order: Vec<String> = user.map(|u| u.to_vec()).unwrap_or_default();
    for id in default_order(metric) {
        if !order.iter().any(|o| o == id) {
            order.push(id.to_string());
        }
    }
    order
}

/// Position of `provider` in `order` (unknown providers after all known ones, by name).
pub fn rank(order: &[String], provider: &str) -> (usize, String) {
    match order.iter().position(|o| o == provider) {
        Some(i) => (i, String::new()),
        None => (order.len(), provider.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::catalogue::metric;

    #[test]
    fn user_choice_beats_the_default() {
        let sleep = metric("sleep").unwrap();
        let default = effective_order(sleep, None);
        assert!(rank(&default, "oura") < rank(&default, "garmin"));
        let mine = effective_order(sleep, Some(&["garmin".to_string()]));
        assert!(rank(&mine, "garmin") < rank(&mine, "oura"));
        assert!(rank(&mine, "demo") < rank(&mine, "zzz_unknown"));
        assert_eq!(source_name("apple_health"), "Apple Health");
        assert_eq!(source_name("my_scale"), "My scale");
    }
}

//! Manual measurements: add, edit, delete through server functions; clear errors for bad input;
//! nobody touches another person's entries.

use vitasync::error::AppError;
use vitasync::measurements::server_fns::MeasurementList;

use crate::both_backends;

use crate::harness::{Case, TestApp};

both_backends!(
    measurements_are_added_edited_and_deleted_by_their_owner,
    |app: TestApp| async move {
        let owner = app.setup_owner("owner@example.com", "owner-password").await;
        owner
            .call::<()>(
                "measurements/add",
                &[
                    ("metric", "weight"),
                    ("value", "72,4"),
                    ("date", "2025-06-01"),
                    ("time", "07:30"),
                ],
            )
            .await
            .expect("weight saved");
        owner
            .call::<()>(
                "measurements/add-blood-pressure",
                &[
                    ("systolic", "121"),
                    ("diastolic", "79"),
                    ("pulse", ""),
                    ("bp_date", ""),
                    ("bp_time", ""),
                ],
            )
            .await
            .expect("blood pressure saved");
        let list: MeasurementList = owner.call("measurements/list", &[]).await.unwrap();
        assert_eq!(list.entries.len(), 2);
        let weight = list.entries.iter().find(|e| e.metric == "weight").unwrap();
        assert_eq!(
            (
                weight.value_text.as_str(),
                weight.date.as_str(),
                weight.time.as_str()
            ),
            ("72.4 kg", "2025-06-01", "07:30")
        );
        let bp = list
            .entries
            .iter()
            .find(|e| e.metric == "blood_pressure")
            .unwrap();
        assert_eq!(bp.value_text, "121/79 mmHg");

        // Bad input: a clear message on the right field, nothing stored.
        let cases: [Case; 5] = [
            (
                &[
                    ("metric", "weight"),
                    ("value", "heavy"),
                    ("date", ""),
                    ("time", ""),
                ],
                "value",
                "Enter a value as a number.",
            ),
            (
                &[
                    ("metric", "weight"),
                    ("value", "900"),
                    ("date", ""),
                    ("time", ""),
                ],
                "value",
                "Enter a weight between 1 and 500 kg.",
            ),
            (
                &[
                    ("metric", "weight"),
                    ("value", "70"),
                    ("date", "2999-01-01"),
                    ("time", ""),
                ],
                "date",
                "That moment is in the future.",
            ),
            (
                &[
                    ("metric", "weight"),
                    ("value", "70"),
                    ("date", "01/06/2025"),
                    ("time", ""),
                ],
                "date",
                "Use a date like 2025-06-30.",
            ),
            (
                &[
                    ("metric", "steps_per_mood"),
                    ("value", "70"),
                    ("date", ""),
                    ("time", ""),
                ],
                "metric",
                "Choose what you measured.",
            ),
        ];
        for (fields, field, message) in cases {
            let err = owner
                .call::<()>("measurements/add", fields)
                .await
                .unwrap_err();
            assert_eq!(err.for_field(field).as_deref(), Some(message), "{fields:?}");
        }
        let err = owner
            .call::<()>(
                "measurements/add-blood-pressure",
                &[
                    ("systolic", "80"),
                    ("diastolic", "95"),
                    ("pulse", ""),
                    ("bp_date", ""),
                    ("bp_time", ""),
                ],
            )
            .await
            .unwrap_err();
        assert_eq!(
            err.for_field("diastolic").as_deref(),
            Some("Diastolic must be lower than systolic.")
        );
        let list: MeasurementList = owner.call("measurements/list", &[]).await.unwrap();
        assert_eq!(list.entries.len(), 2);

        // Edit moves the reading to another day; the old day's figure goes with it.
        owner
            .call::<()>(
                "measurements/update",
                &[
                    ("id", &weight.id),
                    ("value", "71.8"),
                    ("date", "2025-06-02"),
                    ("time", "08:00"),
                ],
            )
            .await
            .expect("edited");
        let list: MeasurementList = owner.call("measurements/list", &[]).await.unwrap();
        let edited = list.entries.iter().find(|e| e.metric == "weight").unwrap();
        assert_eq!(
            (edited.value_text.as_str(), edited.date.as_str()),
            ("71.8 kg", "2025-06-02")
        );
        let csv = owner
            .get("/export/health/weight.csv?from=2025-06-01&to=2025-06-03")
            .await;
        assert_eq!(
            csv.body
                .lines()
                .skip(1)
                .map(|l| l.split(',').next().unwrap().to_string())
                .collect::<Vec<_>>(),
            vec!["2025-06-02"]
        );

        // Someone else can neither edit nor delete it, and sees none of it.
        let member = app
            .add_member(&owner, "mia@example.com", "member-password")
            .await;
        let theirs: MeasurementList = member.call("measurements/list", &[]).await.unwrap();
        assert!(theirs.entries.is_empty());
        let refused = member
            .call::<()>(
                "measurements/update",
                &[
                    ("id", &edited.id),
                    ("value", "50"),
                    ("date", ""),
                    ("time", ""),
                ],
            )
            .await
            .unwrap_err();
        assert_eq!(
            refused,
            AppError::NotFound("That measurement no longer exists.".into())
        );
        let refused = member
            .call::<()>("measurements/delete", &[("id", &edited.id)])
            .await
            .unwrap_err();
        assert!(matches!(refused, AppError::NotFound(_)));

        owner
            .call::<()>("measurements/delete", &[("id", &edited.id)])
            .await
            .expect("deleted");
        let list: MeasurementList = owner.call("measurements/list", &[]).await.unwrap();
        assert_eq!(list.entries.len(), 1);
        let csv = owner
            .get("/export/health/weight.csv?from=2025-06-01&to=2025-06-03")
            .await;
        assert_eq!(
            csv.body.lines().count(),
            1,
            "the rollup went with the reading"
        );
        assert!(owner
            .get("/measurements")
            .await
            .body
            .contains("Your entries"));
    }
);

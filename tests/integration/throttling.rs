//! Repeated failed sign-ins are slowed down per account and per address.

use vitasync::error::AppError;
use vitasync::platform::throttle::{ACCOUNT_LIMIT, IP_LIMIT};

use crate::both_backends;
use crate::harness::TestApp;

both_backends!(
    account_is_locked_after_repeated_failures,
    |app: TestApp| async move {
        app.setup_owner("owner@example.com", "owner-password").await;
        let attacker = app.client_from("192.0.2.10");
        for _ in 0..ACCOUNT_LIMIT {
            let err = attacker
                .login("owner@example.com", "wrong-guess")
                .await
                .unwrap_err();
            assert!(
                matches!(err, AppError::Invalid { field: None, .. }),
                "{err:?}"
            );
        }
        // Even the right password is refused while locked, with a message saying when to retry.
        let err = attacker
            .login("owner@example.com", "owner-password")
            .await
            .unwrap_err();
        match err {
            AppError::TooManyRequests(msg) => {
                assert!(msg.contains("Try again in 15 minutes"), "{msg}")
            }
            other => panic!("expected throttling, got {other:?}"),
        }
        // The lock is on the account from that address: the owner, elsewhere, still signs in
        // (knowing an email address is not enough to lock its owner out).
        let owner_elsewhere = app.client_from("198.51.100.7");
        owner_elsewhere
            .login("owner@example.com", "owner-password")
            .await
            .expect("the owner signs in from their own address");
        // And the attacker's address stays locked for this account.
        assert!(matches!(
            attacker.login("owner@example.com", "another-guess").await,
            Err(AppError::TooManyRequests(_))
        ));
    }
);

both_backends!(
    parallel_guesses_cannot_outrun_the_limit,
    |app: TestApp| async move {
        app.setup_owner("owner@example.com", "owner-password").await;
        let attacker = app.client_from("192.0.2.77");
        let mut tries = tokio::task::JoinSet::new();
        for i in 0..30 {
            let attacker = attacker.clone();
            tries.spawn(async move {
                attacker
                    .login("owner@example.com", &format!("wrong-guess-{i}"))
                    .await
            });
        }
        let results = tries.join_all().await;
        let checked = results
            .iter()
            .filter(|r| matches!(r, Err(AppError::Invalid { .. })))
            .count();
        let refused = results
            .iter()
            .filter(|r| matches!(r, Err(AppError::TooManyRequests(_))))
            .count();
        assert_eq!(checked + refused, 30, "{results:?}");
        assert!(
            checked <= ACCOUNT_LIMIT as usize,
            "{checked} passwords were checked; the limit is {ACCOUNT_LIMIT}"
        );
    }
);

both_backends!(
    an_overlong_email_is_refused_before_anything_else,
    |app: TestApp| async move {
        app.setup_owner("owner@example.com", "owner-password").await;
        let c = app.client_from("192.0.2.78");
        let long = format!("{}@example.com", "a".repeat(100_000));
        match c.login(&long, "whatever").await {
            Err(AppError::Invalid { field, message }) => {
                assert_eq!(field.as_deref(), Some("email"));
                assert_eq!(message, "That is not an email address.");
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }
);

both_backends!(
    an_address_is_locked_after_many_failures_across_accounts,
    |app: TestApp| async move {
        let admin = app.setup_owner("owner@example.com", "owner-password").await;
        app.add_member(&admin, "mia@example.com", "member-password")
            .await;
        let sprayer = app.client_from("203.0.113.5");
        for i in 0..IP_LIMIT {
            let _ = sprayer
                .login(&format!("guess{i}@example.com"), "password1")
                .await;
        }
        assert!(matches!(
            sprayer.login("mia@example.com", "member-password").await,
            Err(AppError::TooManyRequests(_))
        ));
        // Mia, from her own address, is unaffected.
        let mia = app.client_from("10.9.9.9");
        mia.login("mia@example.com", "member-password")
            .await
            .expect("other addresses still sign in");
    }
);

both_backends!(
    success_resets_the_account_counter,
    |app: TestApp| async move {
        app.setup_owner("owner@example.com", "owner-password").await;
        let c = app.client_from("10.1.1.1");
        for _ in 0..ACCOUNT_LIMIT - 1 {
            let _ = c.login("owner@example.com", "nope-nope").await;
        }
        c.login("owner@example.com", "owner-password")
            .await
            .expect("still below the limit");
        for _ in 0..ACCOUNT_LIMIT - 1 {
            let _ = c.login("owner@example.com", "nope-nope").await;
        }
        c.login("owner@example.com", "owner-password")
            .await
            .expect("counter was reset by the success");
    }
);

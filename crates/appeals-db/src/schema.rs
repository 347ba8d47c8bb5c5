//! The one diesel schema for both backends (portable types only; see docs/architecture.md).

diesel::table! {
    subjects (id) {
        id -> BigInt,
        code -> Text,
        name_ru -> Text,
        name_kk -> Nullable<Text>,
        parent_id -> Nullable<BigInt>,
        kato_code -> Nullable<Text>,
        is_authorized_body -> Bool,
        created_at -> Timestamp,
        report_row_code -> Nullable<Text>,
        is_active -> Bool,
        signature_required -> Nullable<Bool>,
        bin -> Nullable<Text>,
        open311_public -> Bool,
        hierarchy_level -> Nullable<Text>,
        appeals_unit_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        password_hash -> Text,
        subject_id -> BigInt,
        full_name -> Nullable<Text>,
        roles -> Text,
        is_active -> Bool,
        created_at -> Timestamp,
        token_generation -> BigInt,
        failed_logins -> Integer,
        locked_until -> Nullable<Timestamp>,
        iin_hash -> Nullable<Text>,
        position -> Nullable<Text>,
    }
}

diesel::joinable!(users -> subjects (subject_id));

diesel::table! {
    counters (name) {
        name -> Text,
        value -> BigInt,
    }
}

diesel::table! {
    appeals (id) {
        id -> BigInt,
        reg_number -> Text,
        counter -> BigInt,
        main_appeal_id -> Nullable<BigInt>,
        part_k -> Nullable<Integer>,
        subject_id -> BigInt,
        registered_by_subject_id -> BigInt,
        addressee_subject_id -> Nullable<BigInt>,
        status -> Text,
        kind -> Text,
        document_type -> Text,
        received_at -> Timestamp,
        registered_at -> Timestamp,
        registration_date -> Date,
        review_due -> Date,
        forward_due -> Date,
        transfer_due -> Nullable<Date>,
        is_accountable -> Bool,
        is_anonymous -> Bool,
        applicant_count -> Integer,
        text -> Text,
        card -> Text,
        state -> Text,
        details -> Text,
        duplicate_of -> Nullable<BigInt>,
        version -> BigInt,
        created_by -> BigInt,
        updated_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        pending -> Nullable<Text>,
        executor_user_id -> Nullable<BigInt>,
        entered_late -> Bool,
    }
}

diesel::table! {
    appeal_applicants (id) {
        id -> BigInt,
        appeal_id -> BigInt,
        ordinal -> Integer,
        category -> Text,
        iin_bin -> Nullable<Text>,
        full_name -> Nullable<Text>,
        card -> Text,
    }
}

diesel::table! {
    appeal_tags (appeal_id, tag) {
        appeal_id -> BigInt,
        tag -> Text,
        /// The card's holder (`appeals.subject_id`), copied so a subject's tagged ids are one range.
        subject_id -> BigInt,
    }
}

diesel::table! {
    appeal_markings (appeal_id, marking) {
        appeal_id -> BigInt,
        marking -> Text,
        /// The card's holder (`appeals.subject_id`), copied as for tags.
        subject_id -> BigInt,
    }
}

diesel::table! {
    appeal_events (id) {
        id -> BigInt,
        appeal_id -> BigInt,
        seq -> Integer,
        occurred_at -> Timestamp,
        actor_user_id -> Nullable<BigInt>,
        actor_subject_id -> Nullable<BigInt>,
        action -> Text,
        before -> Nullable<Text>,
        after -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    decision_cards (id) {
        id -> BigInt,
        appeal_id -> BigInt,
        seq -> Integer,
        card_kind -> Text,
        card -> Text,
        created_at -> Timestamp,
        created_by -> BigInt,
        details -> Text,
    }
}

diesel::table! {
    forwardings (id) {
        id -> BigInt,
        appeal_id -> BigInt,
        to_subject_id -> BigInt,
        part_appeal_id -> Nullable<BigInt>,
        scope -> Text,
        details -> Text,
        is_late -> Bool,
        forwarded_at -> Timestamp,
        created_by -> BigInt,
    }
}

diesel::table! {
    idempotency_keys (user_id, idem_key) {
        user_id -> BigInt,
        idem_key -> Text,
        request_hash -> Text,
        status -> Integer,
        response -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(appeal_applicants -> appeals (appeal_id));
diesel::joinable!(appeal_tags -> appeals (appeal_id));
diesel::joinable!(appeal_markings -> appeals (appeal_id));
diesel::joinable!(appeal_events -> appeals (appeal_id));
diesel::joinable!(decision_cards -> appeals (appeal_id));

diesel::allow_tables_to_appear_in_same_query!(
    subjects,
    users,
    appeals,
    appeal_applicants,
    appeal_tags,
    appeal_markings,
    appeal_events,
    decision_cards,
    forwardings,
    idempotency_keys,
);

diesel::table! {
    /// Local copy of ГБД ФЛ / ГБД ЮЛ records for З-1 auto-fill (R20).
    registry_records (iin_bin) {
        iin_bin -> Text,
        category -> Text,
        data -> Text,
        source -> Text,
        imported_at -> Timestamp,
    }
}

diesel::table! {
    dictionary_entries (dictionary, code) {
        dictionary -> Text,
        code -> Text,
        position -> Integer,
        label_ru -> Text,
        label_kk -> Text,
        attributes -> Text,
        active -> Bool,
    }
}

diesel::table! {
    config_versions (name) {
        name -> Text,
        version -> BigInt,
    }
}

diesel::table! {
    calendar_overrides (year) {
        year -> Integer,
        data -> Text,
        version -> BigInt,
        updated_at -> Timestamp,
        updated_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    admin_events (id) {
        id -> BigInt,
        occurred_at -> Timestamp,
        actor_user_id -> Nullable<BigInt>,
        action -> Text,
        target -> Text,
        before -> Nullable<Text>,
        after -> Nullable<Text>,
    }
}
// The duplicate check (Rules p.13, R13, R14; issue 5).

diesel::table! {
    appeal_dedup_signatures (appeal_id) {
        appeal_id -> BigInt,
        signature -> Binary,
        applicants -> Text,
        applicant_identity -> Nullable<Text>,
    }
}

diesel::table! {
    appeal_dedup_bands (band_key, appeal_id) {
        band_key -> BigInt,
        appeal_id -> BigInt,
    }
}

diesel::table! {
    appeal_dedup_applicant_keys (key_kind, key, appeal_id) {
        key_kind -> Text,
        key -> Text,
        appeal_id -> BigInt,
    }
}

diesel::table! {
    appeal_duplicate_links (id) {
        id -> BigInt,
        appeal_id -> BigInt,
        other_appeal_id -> BigInt,
        verdict -> Text,
        similarity -> Nullable<Double>,
        containment -> Nullable<Double>,
        decided_by -> Text,
        reason -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    duplicate_decisions (id) {
        id -> BigInt,
        appeal_id -> BigInt,
        verdict -> Text,
        original_appeal_id -> Nullable<BigInt>,
        reason -> Text,
        previous -> Text,
        decided_at -> Timestamp,
        decided_by -> BigInt,
    }
}

diesel::joinable!(appeal_dedup_signatures -> appeals (appeal_id));

diesel::allow_tables_to_appear_in_same_query!(appeal_dedup_signatures, appeals);
diesel::allow_tables_to_appear_in_same_query!(appeal_dedup_bands, appeals);
diesel::allow_tables_to_appear_in_same_query!(appeal_dedup_applicant_keys, appeals);
diesel::allow_tables_to_appear_in_same_query!(appeal_search_keys, appeals);
diesel::allow_tables_to_appear_in_same_query!(appeal_duplicate_links, appeals);

diesel::table! {
    settings (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    /// R46: notices owed to applicants (an outbox written with the card's change).
    applicant_notifications (id) {
        id -> BigInt,
        appeal_id -> Nullable<BigInt>,
        reception_id -> Nullable<BigInt>,
        subject_id -> BigInt,
        event -> Text,
        status_from -> Text,
        status_to -> Text,
        applicant_ordinal -> Nullable<Integer>,
        sms_to -> Nullable<Text>,
        created_at -> Timestamp,
        delivery -> Text,
        reported_at -> Nullable<Timestamp>,
        delivery_note -> Nullable<Text>,
    }
}

diesel::joinable!(applicant_notifications -> appeals (appeal_id));
diesel::allow_tables_to_appear_in_same_query!(applicant_notifications, appeals);

diesel::table! {
    /// Personal reception: one ЛП-1 card per application (R10, R24–R26).
    receptions (id) {
        id -> BigInt,
        reg_number -> Text,
        counter -> BigInt,
        subject_id -> BigInt,
        status -> Text,
        queue_number -> BigInt,
        queued_on -> Date,
        out_of_schedule -> Bool,
        reception_kind -> Text,
        official_user_id -> Nullable<BigInt>,
        slot_starts_at -> Nullable<Timestamp>,
        slot_confirmed -> Bool,
        source_reference -> Nullable<Text>,
        card -> Text,
        version -> BigInt,
        created_by -> BigInt,
        registered_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// The hash-chained history of a reception card.
    reception_events (id) {
        id -> BigInt,
        reception_id -> BigInt,
        seq -> Integer,
        occurred_at -> Timestamp,
        actor_user_id -> Nullable<BigInt>,
        actor_subject_id -> Nullable<BigInt>,
        action -> Text,
        before -> Nullable<Text>,
        after -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    /// An official's reception schedule (p.18 part 2).
    reception_schedules (id) {
        id -> BigInt,
        subject_id -> BigInt,
        official_user_id -> BigInt,
        weekdays -> Text,
        starts -> Text,
        ends -> Text,
        slot_minutes -> Integer,
        place_kato -> Text,
        place_addressee -> Text,
        online -> Bool,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
        created_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// A slot given to a reception (primary key: one per official and start).
    reception_bookings (official_user_id, starts_at) {
        official_user_id -> BigInt,
        starts_at -> Timestamp,
        reception_id -> BigInt,
        schedule_id -> BigInt,
        booked_at -> Timestamp,
    }
}

diesel::joinable!(reception_events -> receptions (reception_id));
diesel::allow_tables_to_appear_in_same_query!(
    receptions,
    reception_events,
    reception_bookings,
    reception_schedules
);

diesel::table! {
    /// The KATO classifier (`appeals kato import`).
    kato_objects (code) {
        code -> Text,
        name_ru -> Text,
        name_kk -> Text,
        level -> Integer,
        imported_at -> Timestamp,
    }
}

diesel::joinable!(applicant_notifications -> receptions (reception_id));
diesel::allow_tables_to_appear_in_same_query!(applicant_notifications, receptions);
diesel::allow_tables_to_appear_in_same_query!(appeals, receptions);

// Report 1-ОЛ (Rules p.32, Appendix 5).

diesel::table! {
    /// Folded counts of report 1-ОЛ.
    report_counts (subject_id, month, measure, dimensions) {
        subject_id -> BigInt,
        month -> Integer,
        measure -> Text,
        dimensions -> Text,
        n -> BigInt,
    }
}

diesel::table! {
    /// Changes of the counts, appended with each card change and folded in the background.
    report_count_changes (id) {
        id -> BigInt,
        subject_id -> BigInt,
        month -> Integer,
        measure -> Text,
        dimensions -> Text,
        n -> BigInt,
    }
}

diesel::table! {
    /// Versions of the report definition.
    report_definitions (version) {
        version -> BigInt,
        definition -> Text,
        content_hash -> Text,
        changed_at -> Timestamp,
        changed_by -> Nullable<BigInt>,
        reason -> Text,
    }
}

diesel::table! {
    /// Closed months, frozen as revisions.
    report_snapshots (id) {
        id -> BigInt,
        subject_id -> BigInt,
        year -> Integer,
        month -> Integer,
        revision -> Integer,
        content -> Text,
        content_hash -> Text,
        definition_version -> BigInt,
        calendar_version -> Text,
        generated_at -> Timestamp,
        closed_by -> Nullable<BigInt>,
        changes -> Text,
    }
}

diesel::table! {
    /// Applicants' IIN/BIN as keyed hashes, for search (the FTS table `appeal_search` is reached
    /// with SQL: diesel has no full-text types common to both backends).
    appeal_search_keys (key_hash, appeal_id) {
        key_hash -> Text,
        appeal_id -> BigInt,
    }
}

diesel::table! {
    /// Versions of the deadline and numbering conventions (issue 23 point 1).
    conventions (version) {
        version -> BigInt,
        data -> Text,
        content_hash -> Text,
        changed_at -> Timestamp,
        changed_by -> Nullable<BigInt>,
        reason -> Text,
    }
}

// Access (issue 20).

diesel::table! {
    /// Every login attempt on an existing account.
    login_events (id) {
        id -> BigInt,
        occurred_at -> Timestamp,
        user_id -> BigInt,
        outcome -> Text,
    }
}

diesel::table! {
    /// Access applications signed with an EDS (Rules p.25).
    access_requests (id) {
        id -> BigInt,
        subject_id -> BigInt,
        status -> Text,
        submitted_at -> Timestamp,
        signed_original -> Binary,
        application -> Text,
        signer_name -> Text,
        signer_iin_hash -> Text,
        signer_bin -> Text,
        signed_at -> Nullable<Timestamp>,
        decided_at -> Nullable<Timestamp>,
        decided_by -> Nullable<BigInt>,
        decision_reason -> Nullable<Text>,
    }
}

diesel::table! {
    /// Detached CMS signatures over the canonical documents of approvals and answers.
    signatures (id) {
        id -> BigInt,
        appeal_id -> BigInt,
        purpose -> Text,
        target_id -> BigInt,
        document -> Text,
        signature -> Binary,
        signer_user_id -> BigInt,
        signer_name -> Text,
        signed_at -> Timestamp,
    }
}

diesel::joinable!(access_requests -> subjects (subject_id));
diesel::allow_tables_to_appear_in_same_query!(access_requests, subjects);
diesel::allow_tables_to_appear_in_same_query!(login_events, users);

// Integrations (issue 22).

diesel::table! {
    /// One event per card change, written in the change's transaction.
    outbox_events (id) {
        id -> BigInt,
        event_id -> Text,
        event_type -> Text,
        card_id -> BigInt,
        subject_id -> BigInt,
        occurred_at -> Timestamp,
        payload -> Text,
        private_payload -> Nullable<Text>,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> BigInt,
        subject_id -> BigInt,
        all_subjects -> Bool,
        url -> Text,
        event_types -> Text,
        secret -> Text,
        status -> Text,
        cursor -> BigInt,
        failing_since -> Nullable<Timestamp>,
        next_attempt_at -> Nullable<Timestamp>,
        attempts -> Integer,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        created_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        subscription_id -> BigInt,
        outbox_id -> BigInt,
        event_id -> Text,
        attempt -> Integer,
        outcome -> Text,
        status_code -> Nullable<Integer>,
        error -> Nullable<Text>,
        latency_ms -> Integer,
        attempted_at -> Timestamp,
    }
}
diesel::allow_tables_to_appear_in_same_query!(outbox_events, webhook_subscriptions);

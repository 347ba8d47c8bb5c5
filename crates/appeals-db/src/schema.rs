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
    }
}

diesel::joinable!(users -> subjects (subject_id));
diesel::allow_tables_to_appear_in_same_query!(subjects, users);

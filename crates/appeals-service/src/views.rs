//! The read models use-cases hand to the edge, which maps them to its DTOs: the stored rows of a
//! card, its holder, its З-1 cards and dictionary entries. Data only — the storage functions that
//! read and write them stay behind the use-cases.

pub use appeals_db::rows::{
    AppealRow, AppealSummaryRow, ApplicantRow, DictionaryEntryRow, EventRow, ReceptionEventRow,
    ReceptionRow, ScheduleRow, SubjectRow, UserRow,
};
pub use appeals_db::rows::{DeliveryRow, OutboxEventRow, SubscriptionRow};

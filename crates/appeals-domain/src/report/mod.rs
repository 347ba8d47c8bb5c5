//! Report 1-ОЛ «О рассмотрении обращений, сообщений, запросов, откликов, предложений» (Rules
//! p.32, Appendix 5; R44, R50, R51): what each card counts ([`facts`]), the layout as data
//! ([`definition`]) and the tables built from kept counts ([`compute`]).

pub mod compute;
pub mod definition;
pub mod facts;

pub use compute::{
    Cell, ColumnHead, CountRow, Period, RowKind, SectionTable, SubjectLine, TableRow, compute,
};
pub use definition::{Basis, ColumnValue, ReportDefinition, Term, Window};
pub use facts::{
    CountedAppeal, CountedReception, Fact, FactCount, Measure, Month, ReceptionDecision,
    appeal_facts, change, month_of, reception_facts,
};

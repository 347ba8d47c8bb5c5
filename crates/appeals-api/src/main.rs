//! The `appeals` binary; see `appeals --help`.

fn main() -> std::process::ExitCode {
    appeals_api::cli::main()
}

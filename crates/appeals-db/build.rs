// Migrations are embedded with `embed_migrations!`, which cannot see new files by itself.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}

// `sqlx::migrate!` embeds the migration folders at compile time; a new file must rebuild.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}

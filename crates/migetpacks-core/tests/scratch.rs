use migetpacks_core::detect::{Detection, PackageManager};
use migetpacks_core::language::Language;
use migetpacks_core::pipeline::generate_with;
use migetpacks_core::settings::{EnvMap, Settings};
use migetpacks_core::source::SourceTree;
use migetpacks_core::version::Version;

#[test]
fn scratch() {
    let mut env = EnvMap::new();
    env.insert("BUILD_CACHE_DIR".into(), "/c".into());
    env.insert("BUILD_VARS".into(), r#"{"API":"xxxx"}"#.into());
    let s = Settings::from_env(&env).unwrap();
    let t = SourceTree::in_memory([("requirements.txt", "six\ngunicorn\npsycopg2\n"), ("app.py", "app = Flask(__name__)\n")]);
    let d = Detection { language: Language::Python, display_name: "Python".into(), package_manager: None, additional: vec![], next_standalone: false, evidence: vec![], warnings: vec![] };
    let v = Version { value: "3.11".into(), source: ".python-version".into(), raw: None, warnings: vec![] };
    let g = generate_with(&s, &t, d, v).unwrap();
    println!("{}", g.dockerfile);
    let t = SourceTree::in_memory([("package.json", r#"{"scripts":{"start":"node index.js","build":"tsc"}}"#), ("package-lock.json", "{}")]);
    let d = Detection { language: Language::Nodejs, display_name: "Node.js".into(), package_manager: Some(PackageManager::Npm), additional: vec![], next_standalone: false, evidence: vec![], warnings: vec![] };
    let v = Version { value: "18".into(), source: ".nvmrc".into(), raw: None, warnings: vec![] };
    let g = generate_with(&s, &t, d, v).unwrap();
    println!("{}", g.dockerfile);
}

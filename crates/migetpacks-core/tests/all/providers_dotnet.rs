//! .NET (single project, solution with a web project, nested project).

use crate::support;

use migetpacks_core::language::Language;
use support::{assert_mounts_only_with_cache_dir, assert_order, generate, try_generate};

const WEB: &str = "<Project Sdk=\"Microsoft.NET.Sdk.Web\">\n  <PropertyGroup><TargetFramework>net9.0</TargetFramework></PropertyGroup>\n</Project>\n";
const LIB: &str = "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup>\n</Project>\n";
const TESTS: &str = "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <ItemGroup><PackageReference Include=\"Microsoft.NET.Test.Sdk\" Version=\"17.11.0\" /></ItemGroup>\n</Project>\n";

fn single() -> Vec<(&'static str, &'static str)> {
    vec![
        ("dotnet-hello-world.csproj", "<Project Sdk=\"Microsoft.NET.Sdk.Web\">\n  <PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup>\n</Project>\n"),
        ("Program.cs", "var app = WebApplication.Create(args);\n"),
    ]
}

fn solution() -> Vec<(&'static str, &'static str)> {
    vec![
        ("App.sln", "Microsoft Visual Studio Solution File\n"),
        ("global.json", "{ \"sdk\": { \"version\": \"9.0.100\" } }\n"),
        ("nuget.config", "<configuration />\n"),
        ("Directory.Build.props", "<Project />\n"),
        ("src/Web/Web.csproj", WEB),
        ("src/Web/Program.cs", "\n"),
        ("src/Lib/Lib.csproj", LIB),
        ("src/Lib/Class1.cs", "\n"),
        ("tests/Web.Tests/Web.Tests.csproj", TESTS),
    ]
}

fn nested() -> Vec<(&'static str, &'static str)> {
    vec![
        ("src/Api/Api.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <PropertyGroup>\n    <OutputType>Exe</OutputType>\n    <AssemblyName>Acme.Api</AssemblyName>\n  </PropertyGroup>\n</Project>\n"),
        ("src/Api/Program.cs", "\n"),
        (".config/dotnet-tools.json", "{ \"tools\": {} }\n"),
    ]
}

#[test]
fn single_project_snapshots() {
    let g = snapshot_variants!(
        "single",
        Language::Dotnet,
        "8.0",
        &single(),
        &[(
            "Procfile",
            "web: dotnet bin/publish/dotnet-hello-world.dll\n"
        )],
        &[]
    );
    let [default, cached, dhi, run] = &g[..] else {
        unreachable!()
    };
    assert_mounts_only_with_cache_dir(default, cached, &["nuget"]);
    let df = &default.dockerfile;
    assert!(df.contains("FROM mcr.microsoft.com/dotnet/sdk:8.0 AS builder"));
    assert!(df.contains("FROM mcr.microsoft.com/dotnet/aspnet:8.0\n"));
    assert_order(
        df,
        &[
            "COPY dotnet-hello-world.csproj ./",
            "RUN dotnet restore dotnet-hello-world.csproj",
            "COPY . .",
            "RUN dotnet publish dotnet-hello-world.csproj -c Release -o /build/out --no-restore",
        ],
    );
    assert!(df.contains("COPY --from=builder --chown=1000:1000 /build/out /app"));
    assert!(df.contains("ASPNETCORE_HTTP_PORTS=\"5000\""));
    assert!(
        df.contains(r#"CMD ["sh","-c","dotnet dotnet-hello-world.dll"]"#),
        "{df}"
    );
    // Hardened: ENTRYPOINT in exec form.
    let d = &dhi.dockerfile;
    assert!(
        d.contains("FROM dhi.io/dotnet:8.0-sdk AS builder")
            && d.contains("FROM dhi.io/aspnetcore:8.0\n")
    );
    assert!(
        d.contains(r#"ENTRYPOINT ["dotnet","dotnet-hello-world.dll"]"#),
        "{d}"
    );
    assert!(!d.contains("CMD "));
    // A Procfile written for the original layout runs from /app.
    assert_eq!(
        run.plan.start_command.command,
        "dotnet ./dotnet-hello-world.dll"
    );
    // The port comes from PORT.
    let p = generate(Language::Dotnet, "8.0", &single(), &[("PORT", "8080")]);
    assert!(
        p.dockerfile.contains("ASPNETCORE_HTTP_PORTS=\"8080\"")
            && p.dockerfile.contains("EXPOSE 8080")
    );
}

#[test]
fn solution_snapshots() {
    let g = snapshot_variants!(
        "solution",
        Language::Dotnet,
        "9.0.100",
        &solution(),
        &[(
            "Procfile",
            "web: cd src/Web/bin/publish/; ./Web --urls http://*:$PORT\n"
        )],
        &[]
    );
    let [default, _, dhi, run] = &g[..] else {
        unreachable!()
    };
    let df = &default.dockerfile;
    // SDK pinned by global.json; the runtime image is tagged major.minor (D.25).
    assert!(df.contains("FROM mcr.microsoft.com/dotnet/sdk:9.0.100 AS builder"));
    assert!(df.contains("FROM mcr.microsoft.com/dotnet/aspnet:9.0\n"));
    assert!(dhi.dockerfile.contains("FROM dhi.io/aspnetcore:9.0\n"));
    // Every project file and restore setting at its path, before the source.
    assert_order(
        df,
        &[
            "COPY App.sln Directory.Build.props global.json nuget.config ./",
            "COPY src/Lib/Lib.csproj src/Lib/",
            "COPY src/Web/Web.csproj src/Web/",
            "COPY tests/Web.Tests/Web.Tests.csproj tests/Web.Tests/",
            "RUN dotnet restore src/Web/Web.csproj",
            "COPY . .",
            "RUN dotnet publish src/Web/Web.csproj",
        ],
    );
    assert!(df.contains(r#"CMD ["sh","-c","dotnet Web.dll"]"#));
    assert_eq!(
        run.plan.start_command.command,
        "./Web --urls http://*:$PORT"
    );
    let run_dhi = generate(
        Language::Dotnet,
        "9.0.100",
        &[
            solution(),
            vec![(
                "Procfile",
                "web: cd src/Web/bin/publish/; ./Web --urls http://*:$PORT\n",
            )],
        ]
        .concat(),
        &[("USE_DHI", "true")],
    );
    assert!(
        run_dhi
            .dockerfile
            .contains(r#"ENTRYPOINT ["./Web","--urls","http://*:5000"]"#),
        "{}",
        run_dhi.dockerfile
    );
}

#[test]
fn nested_project_snapshots() {
    let g = snapshot_variants!(
        "nested",
        Language::Dotnet,
        "7.0",
        &nested(),
        &[],
        &[("RUN_COMMAND", "dotnet Acme.Api.dll --urls http://+:$PORT")]
    );
    let [default, _, _, run] = &g[..] else {
        unreachable!()
    };
    let df = &default.dockerfile;
    assert_order(
        df,
        &[
            "COPY src/Api/Api.csproj src/Api/",
            "COPY .config/dotnet-tools.json .config/",
            "RUN dotnet tool restore \\\n    && dotnet restore src/Api/Api.csproj",
        ],
    );
    // <AssemblyName> names the dll; .NET 7 only honours ASPNETCORE_URLS.
    assert!(df.contains(r#"CMD ["sh","-c","dotnet Acme.Api.dll"]"#));
    assert!(df.contains("ASPNETCORE_URLS=\"http://+:5000\"") && !df.contains("HTTP_PORTS"));
    assert!(run
        .dockerfile
        .contains(r#"CMD ["sh","-c","dotnet Acme.Api.dll --urls http://+:$PORT"]"#));
}

#[test]
fn project_choice_and_errors() {
    let e = try_generate(Language::Dotnet, "8.0", &[("global.json", "{}")], &[])
        .unwrap_err()
        .to_string();
    assert!(e.contains("no .csproj/.fsproj/.vbproj"), "{e}");
    let e = try_generate(
        Language::Dotnet,
        "8.0",
        &[("a/Lib.csproj", LIB), ("b/Lib2.csproj", LIB)],
        &[],
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with("a/Lib.csproj, b/Lib2.csproj: none is a web project"),
        "{e}"
    );
    let e = try_generate(Language::Dotnet, "latest", &single(), &[])
        .unwrap_err()
        .to_string();
    assert!(e.contains("\"latest\" is not a .NET version"), "{e}");
    // Two web projects: the shallowest is published, with a warning naming the other.
    let g = generate(
        Language::Dotnet,
        "8.0",
        &[("Web/Web.csproj", WEB), ("admin/Admin/Admin.fsproj", WEB)],
        &[],
    );
    assert!(g.dockerfile.contains("dotnet publish Web/Web.csproj"));
    assert!(
        g.plan
            .warnings
            .iter()
            .any(|w| w.contains("admin/Admin/Admin.fsproj")),
        "{:?}",
        g.plan.warnings
    );
    // BUILD_COMMAND runs before publish, which still produces the image's app.
    let g = generate(
        Language::Dotnet,
        "8.0",
        &single(),
        &[("BUILD_COMMAND", "dotnet test")],
    );
    assert_order(&g.dockerfile, &["RUN dotnet test", "RUN dotnet publish"]);
}

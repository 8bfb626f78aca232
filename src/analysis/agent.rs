//! User-agent families: which tool made a call and on which operating system, so that one
//! credential used by two different clients (an instance's SSM agent, a laptop's aws-cli) shows.
//! Only the family counts: versions change with every update and prove nothing.
use serde::Serialize;

/// The client that made a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tool {
    /// An AWS service calling on the principal's behalf (`AWS Internal`, `*.amazonaws.com`).
    AwsService,
    /// The management console and its back ends, or a browser.
    Console,
    AwsCli,
    Python,
    Go,
    Java,
    JavaScript,
    DotNet,
    PowerShell,
    Ruby,
    Rust,
    Terraform,
    SsmAgent,
    Other,
    None,
}

/// The operating system a client names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Os {
    Linux,
    MacOs,
    Windows,
    Unknown,
}

/// A user agent's family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Family {
    pub tool: Tool,
    pub os: Os,
    /// The runtime environment a compute service sets (`exec-env/AWS_Lambda_python3.12`,
    /// `AWS_ECS_FARGATE`), or the Lambda worker.
    pub compute: Option<ComputeEnv>,
}

/// Where an SDK says it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComputeEnv {
    Lambda,
    Ecs,
    CodeBuild,
    Glue,
    CloudShell,
}

impl Family {
    /// A client a person drives on a desktop: macOS or Windows, outside the console.
    pub fn is_desktop(&self) -> bool {
        matches!(self.os, Os::MacOs | Os::Windows)
            && !matches!(self.tool, Tool::Console | Tool::AwsService | Tool::None)
    }

    /// Whether the family says anything about the client (not an AWS service or nothing).
    pub fn is_client(&self) -> bool {
        !matches!(self.tool, Tool::AwsService | Tool::None)
    }

    /// "aws-cli on macOS", "python (Lambda)".
    pub fn describe(&self) -> String {
        let tool = match self.tool {
            Tool::AwsService => "an AWS service",
            Tool::Console => "the console",
            Tool::AwsCli => "aws-cli",
            Tool::Python => "a Python SDK",
            Tool::Go => "a Go SDK",
            Tool::Java => "a Java SDK",
            Tool::JavaScript => "a JavaScript SDK",
            Tool::DotNet => "a .NET SDK",
            Tool::PowerShell => "AWS PowerShell",
            Tool::Ruby => "a Ruby SDK",
            Tool::Rust => "a Rust SDK",
            Tool::Terraform => "Terraform",
            Tool::SsmAgent => "the SSM agent",
            Tool::Other => "another client",
            Tool::None => "no user agent",
        };
        let mut s = tool.to_owned();
        match self.os {
            Os::MacOs => s.push_str(" on macOS"),
            Os::Windows => s.push_str(" on Windows"),
            Os::Linux => s.push_str(" on Linux"),
            Os::Unknown => {}
        }
        if let Some(c) = self.compute {
            s.push_str(&format!(" ({c:?})"));
        }
        s
    }
}

/// The family of a user agent.
pub fn family(ua: Option<&str>) -> Family {
    let Some(ua) = ua.map(str::trim).filter(|u| !u.is_empty()) else {
        return Family {
            tool: Tool::None,
            os: Os::Unknown,
            compute: None,
        };
    };
    let l = ua.to_ascii_lowercase();
    let compute = if l.contains("exec-env/aws_lambda") || l.contains("awslambda-worker") {
        Some(ComputeEnv::Lambda)
    } else if l.contains("exec-env/aws_ecs") {
        Some(ComputeEnv::Ecs)
    } else if l.contains("codebuild") {
        Some(ComputeEnv::CodeBuild)
    } else if l.contains("exec-env/aws_glue") || l.contains("glue-job") {
        Some(ComputeEnv::Glue)
    } else if l.contains("exec-env/cloudshell") {
        Some(ComputeEnv::CloudShell)
    } else {
        None
    };
    let tool = tool_of(&l);
    let os = if l.contains("darwin") || l.contains("macos") || l.contains("mac os x") {
        Os::MacOs
    } else if l.contains("windows") || l.contains("win32") || l.contains("win64") {
        Os::Windows
    } else if l.contains("linux") {
        Os::Linux
    } else {
        Os::Unknown
    };
    Family { tool, os, compute }
}

fn tool_of(l: &str) -> Tool {
    if l == "aws internal" || (l.ends_with(".amazonaws.com") && !l.contains(' ')) {
        return Tool::AwsService;
    }
    if l.contains("amazon-ssm-agent") {
        Tool::SsmAgent
    } else if l.contains("terraform") {
        Tool::Terraform
    } else if l.starts_with("aws-cli/") || l.contains(" aws-cli/") || l.contains("[aws-cli/") {
        Tool::AwsCli
    } else if l.contains("console")
        || l.contains("mozilla/")
        || l.contains("aws-internal/")
        || l.starts_with("signin.amazonaws.com")
    {
        Tool::Console
    } else if l.contains("powershell") {
        Tool::PowerShell
    } else if l.contains("boto") || l.contains("lang/python") {
        Tool::Python
    } else if l.contains("aws-sdk-go") || l.contains("lang/go") {
        Tool::Go
    } else if l.contains("aws-sdk-java") || l.contains("lang/java") {
        Tool::Java
    } else if l.contains("aws-sdk-js") || l.contains("aws-sdk-nodejs") || l.contains("lang/js") {
        Tool::JavaScript
    } else if l.contains("aws-sdk-dotnet") || l.contains("lang/.net") {
        Tool::DotNet
    } else if l.contains("aws-sdk-ruby") {
        Tool::Ruby
    } else if l.contains("aws-sdk-rust") || l.contains("lang/rust") {
        Tool::Rust
    } else {
        Tool::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families() {
        let cases: [(&str, Tool, Os, Option<ComputeEnv>); 10] = [
            (
                "aws-cli/2.15.0 Python/3.11.6 Darwin/23.1.0 exe/x86_64 prompt/off",
                Tool::AwsCli,
                Os::MacOs,
                None,
            ),
            (
                "aws-sdk-go/1.41.4 (go1.18.3; linux; amd64) amazon-ssm-agent/3.1",
                Tool::SsmAgent,
                Os::Linux,
                None,
            ),
            (
                "aws-sdk-go-v2/1.17.0 os/linux lang/go/1.18.10 md/GOOS/linux",
                Tool::Go,
                Os::Linux,
                None,
            ),
            (
                "Boto3/1.28.0 md/Botocore#1.31.0 ua/2.0 os/linux#5.10 lang/python#3.11 exec-env/AWS_Lambda_python3.11",
                Tool::Python,
                Os::Linux,
                Some(ComputeEnv::Lambda),
            ),
            (
                "aws-sdk-java/2.20 Linux/5.10 exec-env/AWS_ECS_FARGATE",
                Tool::Java,
                Os::Linux,
                Some(ComputeEnv::Ecs),
            ),
            ("AWS Internal", Tool::AwsService, Os::Unknown, None),
            ("s3.amazonaws.com", Tool::AwsService, Os::Unknown, None),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36",
                Tool::Console,
                Os::MacOs,
                None,
            ),
            (
                "AWSPowerShell/4.1 .NET_Runtime/4.0 Windows_NT/10.0",
                Tool::PowerShell,
                Os::Windows,
                None,
            ),
            (
                "APN/1.0 HashiCorp/1.0 Terraform/1.1.2 terraform-provider-aws/3.76.1",
                Tool::Terraform,
                Os::Unknown,
                None,
            ),
        ];
        for (ua, tool, os, compute) in cases {
            let f = family(Some(ua));
            assert_eq!((f.tool, f.os, f.compute), (tool, os, compute), "{ua}");
        }
        assert!(family(Some("aws-cli/2.15.0 Python/3.11.6 Darwin/23.1.0")).is_desktop());
        assert!(!family(Some("Mozilla/5.0 (Windows NT 10.0; Win64; x64)")).is_desktop());
        assert!(!family(Some("aws-cli/2.15.0 Python/3.11.6 Linux/6.5")).is_desktop());
        assert_eq!(family(None).tool, Tool::None);
        assert_eq!(
            family(Some("aws-cli/2.15.0 Python/3.11.6 Darwin/23.1.0")).describe(),
            "aws-cli on macOS"
        );
    }
}

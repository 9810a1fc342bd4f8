using System.Runtime.Versioning;

// hortd runs on Linux (file modes for secrets, libc, systemd); other platforms are not supported yet.
[assembly: SupportedOSPlatform("linux")]

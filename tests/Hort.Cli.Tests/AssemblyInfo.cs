// These tests drive hort as a Linux process (POSIX modes, SIGKILL); hort targets Linux first.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

using Hort.Core;

namespace Hort.Server.Sessions;

/// <summary>An agent sent something the server refuses to store (422): a wrong ID, a malformed tree, an unknown reference.</summary>
public sealed class UploadRejectedException(string message) : HortException(message);

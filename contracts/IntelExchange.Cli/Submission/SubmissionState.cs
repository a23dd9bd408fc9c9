using System.Text.Json;
using IntelExchange.Client;

namespace IntelExchange.Cli.Submission;

/// <summary>One line of the state file: a file the exchange accepted, and under which report id.</summary>
internal sealed record SubmittedFile(string File, string BodySha256, Guid ReportId, DateTimeOffset ReceivedAt, string IdempotencyKey);

/// <summary>
/// What a bulk run has already had accepted, as JSON Lines appended (and flushed) one per accepted file, so a run that
/// is killed loses at most the lines it had not written yet. A torn last line is ignored; those files are sent again
/// under the same idempotency key and the exchange answers with the original report instead of making a second.
/// </summary>
internal sealed class SubmissionState : IDisposable
{
    private readonly Dictionary<string, SubmittedFile> _done = new(StringComparer.Ordinal);
    private readonly StreamWriter? _writer;
    private readonly Lock _lock = new();

    private SubmissionState(string? path)
    {
        Path = path;
        if (path is null)
        {
            return;
        }
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path))
            {
                if (TryParse(line) is { } entry)
                {
                    _done[entry.File] = entry;
                }
            }
        }
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        _writer = new StreamWriter(stream) { AutoFlush = false };
        if (stream.Position > 0 && !EndsWithNewline(path))
        {
            _writer.WriteLine(); // Start after a torn line rather than extend it.
        }
    }

    public string? Path { get; }

    /// <summary>Opens (or, with a null path, keeps only in memory) the state of a run.</summary>
    public static SubmissionState Open(string? path) => new(path);

    public SubmittedFile? Find(string file, string bodySha256)
    {
        lock (_lock)
        {
            return _done.TryGetValue(file, out var entry) && entry.BodySha256 == bodySha256 ? entry : null;
        }
    }

    public void Record(SubmittedFile entry)
    {
        lock (_lock)
        {
            _done[entry.File] = entry;
            if (_writer is not null)
            {
                _writer.WriteLine(JsonSerializer.Serialize(entry, ClientJson.Options));
                _writer.Flush();
            }
        }
    }

    public void Dispose() => _writer?.Dispose();

    private static SubmittedFile? TryParse(string line)
    {
        try
        {
            return line.Length == 0 ? null : JsonSerializer.Deserialize<SubmittedFile>(line, ClientJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool EndsWithNewline(string path)
    {
        using var stream = File.OpenRead(path);
        if (stream.Length == 0)
        {
            return true;
        }
        stream.Seek(-1, SeekOrigin.End);
        return stream.ReadByte() == '\n';
    }
}

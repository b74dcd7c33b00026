using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Pipeline.Contracts.Api;

namespace Pipeline.Client;

public sealed partial class PipelineClient
{
    /// <summary>How often a watch asks for the job again when no event came (a missed event costs this, not a hang).</summary>
    public static readonly TimeSpan DefaultWatchPoll = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The job each time its summary changes (state, round, progress, loss, ...), ending with the first finished one.
    /// Listens to <c>/api/events</c> and, between events, asks again every <paramref name="poll"/>. A job the system
    /// has not recorded yet (just submitted) is waited for up to <paramref name="notFoundGrace"/>; after that, or at
    /// once without it, an unknown job throws <see cref="PipelineApiException"/> (404).
    /// </summary>
    public async IAsyncEnumerable<JobDetail> WatchAsync(Guid job, TimeSpan? notFoundGrace = null, TimeSpan? poll = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        var listener = ListenAsync(job, changes.Writer, stop.Token);
        try
        {
            JobSummary? last = null;
            while (true)
            {
                var detail = await FindJobAsync(job, cancellationToken);
                if (detail is null)
                {
                    if (Stopwatch.GetElapsedTime(started) >= (notFoundGrace ?? TimeSpan.Zero))
                    {
                        throw new PipelineApiException(HttpStatusCode.NotFound, $"Unknown job: no job {job}");
                    }
                }
                else if (detail.Summary != last)
                {
                    last = detail.Summary;
                    yield return detail;
                    if (detail.Summary.Finished)
                    {
                        yield break;
                    }
                }

                await NextChangeAsync(changes.Reader, poll ?? DefaultWatchPoll, cancellationToken);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await listener;
        }
    }

    /// <summary>Returns at the next event, or after <paramref name="poll"/> without one.</summary>
    private static async Task NextChangeAsync(ChannelReader<bool> changes, TimeSpan poll, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(poll);
        try
        {
            await changes.WaitToReadAsync(wait.Token);
            changes.TryRead(out _);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // No event for a while: ask again anyway.
        }
    }

    /// <summary>Signals every server-sent event for <paramref name="job"/>; reconnects after a dropped stream.</summary>
    private async Task ListenAsync(Guid job, ChannelWriter<bool> changes, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var response = await _http.GetAsync($"api/events?job={job}", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                response.EnsureSuccessStatusCode();
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
                while (await reader.ReadLineAsync(cancellationToken) is { } text)
                {
                    if (text.StartsWith("data:", StringComparison.Ordinal))
                    {
                        changes.TryWrite(true);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                // The watch's polling carries on; try the stream again shortly.
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

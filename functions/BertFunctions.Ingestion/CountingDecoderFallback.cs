using System.Text;

namespace BertFunctions.Ingestion;

/// <summary>
/// Replaces invalid bytes with U+FFFD, like the default fallback, and counts them into
/// <see cref="ReadStatistics.InvalidBytesReplaced"/>. One instance per read: it holds that read's statistics.
/// </summary>
/// <remarks>
/// <see cref="Encoding.GetString(byte[])"/> runs the fallback twice (a counting pass, then a writing pass), which would
/// count twice; decode through a <see cref="Decoder"/> (a <see cref="StreamReader"/>, or <see cref="Charsets.Decode"/>),
/// which runs it once.
/// </remarks>
internal sealed class CountingDecoderFallback(ReadStatistics stats) : DecoderFallback
{
    public override int MaxCharCount => 1;

    public override DecoderFallbackBuffer CreateFallbackBuffer() => new Buffer(stats);

    private sealed class Buffer(ReadStatistics stats) : DecoderFallbackBuffer
    {
        private int _remaining;

        public override int Remaining => _remaining;

        public override bool Fallback(byte[] bytesUnknown, int index)
        {
            stats.InvalidBytesReplaced += bytesUnknown.Length;
            _remaining = 1;
            return true;
        }

        public override char GetNextChar()
        {
            if (_remaining == 0)
            {
                return '\0';
            }

            _remaining = 0;
            return '\uFFFD';
        }

        public override bool MovePrevious()
        {
            if (_remaining == 1)
            {
                return false;
            }

            _remaining = 1;
            return true;
        }

        public override void Reset() => _remaining = 0;
    }
}

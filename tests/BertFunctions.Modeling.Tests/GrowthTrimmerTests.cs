using System.Runtime.InteropServices;

namespace BertFunctions.Modeling.Tests;

/// <summary>The trim policy of the training and evaluation loops: trim on new growth only, not for memory a trim cannot lower.</summary>
public sealed class GrowthTrimmerTests
{
    [Fact]
    public void Memory_still_in_use_after_a_trim_raises_the_limit_instead_of_trimming_every_call()
    {
        const int Size = 512 << 20;
        var trimmer = new GrowthTrimmer(allowanceBytes: 64 << 20);
        var held = Marshal.AllocHGlobal(Size);
        try
        {
            // Touch every page so that the block is resident: the process has grown by 512 MiB it still uses.
            for (var offset = 0; offset < Size; offset += 4096)
            {
                Marshal.WriteByte(held, offset, 1);
            }

            Assert.True(trimmer.TrimIfGrown(), "grown past the allowance: trims once");
            Assert.True(trimmer.Limit > Environment.WorkingSet, "the limit moves above what the trim left");
            Assert.False(trimmer.TrimIfGrown(), "the same memory, still in use, does not trim again");
        }
        finally
        {
            Marshal.FreeHGlobal(held);
        }
    }
}

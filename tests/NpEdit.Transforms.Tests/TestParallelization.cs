// Why serial: these tests compare tensors computed at different moments of one test (an edit and its re-computation,
// a model and its saved copy). A test on another thread that draws from torch's global generator or changes its
// thread count in between changes what the second computation gives; CI once failed this way. The whole assembly
// takes seconds, so running it serially costs little.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]

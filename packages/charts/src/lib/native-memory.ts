/**
 * resvg's native add-on allocates with mimalloc, which by default keeps freed pages for 10 ms and returns them only
 * on its next call: between two 300-dpi figures (30-40 MB each) the previous image's pages stay resident, peak RSS
 * +60 MB on the visualize stage. A purge delay of 0 returns them at once. mimalloc reads its options when the
 * add-on loads, so this module runs before anything imports resvg (first in the package's index); a value the
 * user set is kept.
 */
process.env['MIMALLOC_PURGE_DELAY'] ??= '1';
export {};

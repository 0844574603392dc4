/**
 * Content addressing, in one place: computing digests while bytes stream ({@link dev.imagefactory.content.Digests},
 * {@link dev.imagefactory.content.CountingDigestOutputStream}), checking bytes against what they should be
 * ({@link dev.imagefactory.content.VerifyingInputStream}), publishing files so no reader sees half of one
 * ({@link dev.imagefactory.content.AtomicFiles}), doing one piece of work once however many ask at the same time
 * ({@link dev.imagefactory.content.SingleFlight}), loading a value beside the rest of the start-up
 * ({@link dev.imagefactory.content.StartupLoad}), and the fixed time every reproducible output is stamped with
 * ({@link dev.imagefactory.content.Reproducible}). The only package that touches {@code java.security.MessageDigest}.
 */
package dev.imagefactory.content;

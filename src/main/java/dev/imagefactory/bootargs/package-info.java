/**
 * Writers that put a kernel command line into the formats it travels in (an iPXE script, GRUB's {@code grub.cfg}),
 * one per format, each escaping an argument so the format reads it back unchanged or refusing it with a 400 that
 * names it. The UKI {@code .cmdline} section and the {@code cmdline-*} asset carry the text as is: only the kernel
 * reads them.
 */
package dev.imagefactory.bootargs;

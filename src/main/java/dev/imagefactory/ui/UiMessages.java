package dev.imagefactory.ui;

import io.quarkus.qute.i18n.Message;
import io.quarkus.qute.i18n.MessageBundle;

/**
 * The web UI's texts: the {@code msg:} namespace of the wizard's templates. The English texts are in
 * {@code messages/msg_en.properties}; another language is a {@code msg_<language>.properties} next to it.
 */
@MessageBundle(value = "msg", locale = "en")
public interface UiMessages {

    @Message
    String lang();

    @Message
    String app_title();

    @Message
    String app_tagline();

    @Message
    String skip_to_content();

    @Message
    String footer_api();

    @Message
    String footer_api_link();

    @Message
    String progress_label();

    @Message
    String summary_label();

    @Message
    String step_hardware();

    @Message
    String step_version();

    @Message
    String step_platform();

    @Message
    String step_board();

    @Message
    String step_arch();

    @Message
    String step_extensions();

    @Message
    String step_customization();

    @Message
    String step_final();

    @Message
    String back();

    @Message
    String next();

    @Message
    String create();

    @Message
    String copy();

    @Message
    String start_over();

    @Message
    String hardware_title();

    @Message
    String hardware_legend();

    @Message
    String target_metal();

    @Message
    String target_metal_help();

    @Message
    String target_cloud();

    @Message
    String target_cloud_help();

    @Message
    String target_sbc();

    @Message
    String target_sbc_help();

    @Message
    String by_id_title();

    @Message
    String by_id_label();

    @Message
    String by_id_submit();

    @Message
    String version_title();

    @Message
    String version_group(String label);

    @Message
    String version_prerelease_group(String label);

    @Message
    String version_none();

    @Message
    String platform_title();

    @Message
    String platform_legend();

    @Message
    String board_title();

    @Message
    String board_legend();

    @Message
    String board_none();

    @Message
    String arch_title();

    @Message
    String arch_legend();

    @Message
    String secureboot_legend();

    @Message
    String secureboot_label();

    @Message
    String secureboot_help();

    @Message
    String extensions_title();

    @Message
    String extensions_search_label();

    @Message
    String extensions_filter();

    @Message
    String extensions_legend(int shown, int total);

    @Message
    String extensions_none_match();

    @Message
    String customization_title();

    @Message
    String customization_extensions(int count);

    @Message
    String cmdline_label();

    @Message
    String cmdline_help();

    @Message
    String bootloader_label();

    @Message
    String bootloader_help();

    @Message
    String machine_config_label();

    @Message
    String machine_config_help();

    @Message
    String overlay_options_label();

    @Message
    String overlay_options_help();

    @Message
    String final_title();

    @Message
    String final_schematic();

    @Message
    String final_schematic_id();

    @Message
    String final_yaml();

    @Message
    String final_edit();

    @Message
    String final_downloads();

    @Message
    String final_downloads_help();

    @Message
    String col_artifact();

    @Message
    String col_checksum();

    @Message
    String col_state();

    @Message
    String checksum_of(String path);

    @Message
    String state_cached();

    @Message
    String state_not_cached();

    @Message
    String state_unknown();

    @Message
    String build_now();

    @Message
    String build_progress(String path);

    @Message
    String build_queued();

    @Message
    String build_running();

    @Message
    String build_failed();

    @Message
    String artifact_iso();

    @Message
    String artifact_disk();

    @Message
    String artifact_qcow2();

    @Message
    String artifact_uki();

    @Message
    String artifact_kernel();

    @Message
    String artifact_cmdline();

    @Message
    String artifact_initramfs();

    @Message
    String final_pxe();

    @Message
    String final_installer();

    @Message
    String final_installer_help();

    @Message
    String installer_image();

    @Message
    String final_commands();

    @Message
    String command_create();

    @Message
    String command_download();

    @Message
    String command_verify();

    @Message
    String command_upgrade();

    @Message
    String command_talosctl();

}
